/**
 * Interaction lists for P5 from xrec's interaction tables: Insurance item ids 1–21 become the product codes
 * (UP5 writes products by code), MovieLens rows keep their timestamp as the order.
 */
import type { Table } from 'apache-arrow';
import { DataError } from '@xrec/core';
import type { Interaction } from '@xrec/data';

/** Insurance product codes, in item id order (iid 1 = P5DA … iid 21 = ECY3), as in the Zimnat data's columns. */
export const INSURANCE_PRODUCTS: readonly string[] = ['P5DA', 'RIBP', '8NN1', '7POT', '66FJ', 'GYSR', 'SOP4', 'RVSZ', 'PYUQ', 'LJR9', 'N2MW', 'AHXO', 'BSTQ', 'FM3X', 'K6QO', 'QBOL', 'JWFN', 'JZ9D', 'J9JW', 'GHYX', 'ECY3'];

/** The product code of an Insurance item id ('1'..'21'). */
export function insuranceProduct(iid: string): string {
  const k = Number(iid);
  const code = Number.isInteger(k) ? INSURANCE_PRODUCTS[k - 1] : undefined;
  if (!code) throw new DataError(`insuranceProduct: item id '${iid}' is not one of the 21 products (1..21)`);
  return code;
}

/** Interactions of an INTERACTION_SCHEMA table (items mapped by `item`, order from the timestamp when present). */
export function interactionsOf(table: Table, item: (id: string) => string = (id) => id): Interaction[] {
  const users = table.getChild('user')!;
  const items = table.getChild('item')!;
  const ts = table.getChild('timestamp');
  const out: Interaction[] = [];
  for (let i = 0; i < table.numRows; i++) {
    const t = ts?.get(i);
    out.push({ user: String(users.get(i)), item: item(String(items.get(i))), ...(t !== null && t !== undefined ? { time: Number(t) } : {}) });
  }
  return out;
}
