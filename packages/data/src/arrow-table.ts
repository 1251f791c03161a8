/**
 * Build Arrow tables whose schema is exactly one of core's schemas (field names, types and nullability),
 * from plain column arrays. One record batch per table.
 */
import { makeBuilder, makeData, RecordBatch, Struct, Table, type Schema } from 'apache-arrow';
import { ShapeError } from '@xrec/core';

/** Column arrays keyed by field name; every column has the same length. */
export type Columns = Readonly<Record<string, readonly unknown[]>>;

/** `columns` → a one-batch Table with schema `schema`; missing nullable columns become all-null. */
export function tableFromColumns(schema: Schema, columns: Columns, length?: number): Table {
  const n = length ?? (Object.values(columns)[0]?.length ?? 0);
  const children = schema.fields.map((field) => {
    const values = columns[field.name];
    if (values === undefined && !field.nullable) {
      throw new ShapeError(`tableFromColumns: column '${field.name}' is required by the schema but missing`);
    }
    if (values !== undefined && values.length !== n) {
      throw new ShapeError(`tableFromColumns: column '${field.name}' has ${values.length} values, expected ${n}`);
    }
    const builder = makeBuilder({ type: field.type, nullValues: [null, undefined] });
    for (let i = 0; i < n; i++) builder.append(values === undefined ? null : values[i]);
    return builder.finish().flush();
  });
  const data = makeData({ type: new Struct(schema.fields), length: n, nullCount: 0, children });
  return new Table([new RecordBatch(schema, data)]);
}

/** Rows of `table` as plain objects (values as Arrow returns them: Int64 as bigint). */
export function rowsOf<T>(table: Table): T[] {
  const out: T[] = [];
  for (const row of table) out.push(row?.toJSON() as T);
  return out;
}
