/**
 * The safetensors checkpoint format (https://github.com/huggingface/safetensors), read and written in
 * plain TypeScript:
 *
 *   [8 bytes: little-endian u64 N][N bytes: JSON header][raw little-endian tensor bytes]
 *
 * The header maps tensor names to `{dtype, shape, data_offsets: [begin, end]}` (offsets relative to the
 * start of the byte buffer) and may hold `__metadata__`, a string-to-string map. xrec records
 * `format`, `format_version` and the model `config` there.
 *
 * Every structural problem — truncated file, overlapping or out-of-range offsets, unknown dtype, a shape
 * that does not match the byte length — is a {@link CheckpointError} naming the tensor; nothing is
 * returned half-read.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { CheckpointError } from './errors.js';
import { writeFileAtomic, writeFileAtomicSync } from './fs.js';

export const SAFETENSORS_DTYPES = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U8: 1,
  BOOL: 1,
} as const;

export type SafetensorsDtype = keyof typeof SAFETENSORS_DTYPES;

/** One tensor: dtype, shape and its raw little-endian bytes (a view, not a copy, when read from a file). */
export interface SafeTensor {
  readonly dtype: SafetensorsDtype;
  readonly shape: readonly number[];
  readonly data: Uint8Array;
}

export interface SafetensorsFile {
  /** Tensors in file order. */
  readonly tensors: Map<string, SafeTensor>;
  readonly metadata: Record<string, string>;
}

/** Upper bound on the JSON header, as in the reference implementation (100 MB). */
const MAX_HEADER = 100_000_000;

function isDtype(s: unknown): s is SafetensorsDtype {
  return typeof s === 'string' && Object.prototype.hasOwnProperty.call(SAFETENSORS_DTYPES, s);
}

function numel(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/**
 * Parse a safetensors buffer. `where` names the source in error messages.
 * @throws CheckpointError on any structural problem.
 */
export function parseSafetensors(bytes: Uint8Array, where = 'safetensors'): SafetensorsFile {
  if (bytes.byteLength < 8) {
    throw new CheckpointError(`${where}: file is ${bytes.byteLength} bytes, too short for the 8-byte header length`);
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen64 = dv.getBigUint64(0, true);
  if (headerLen64 > BigInt(MAX_HEADER)) {
    throw new CheckpointError(`${where}: header length ${headerLen64} exceeds the ${MAX_HEADER}-byte limit`);
  }
  const headerLen = Number(headerLen64);
  if (8 + headerLen > bytes.byteLength) {
    throw new CheckpointError(
      `${where}: truncated: header declares ${headerLen} bytes but only ${bytes.byteLength - 8} follow the length field`,
    );
  }
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLen)));
  } catch (e) {
    throw new CheckpointError(`${where}: header is not valid UTF-8 JSON`, { cause: e });
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    throw new CheckpointError(`${where}: header must be a JSON object`);
  }
  const bufStart = 8 + headerLen;
  const bufLen = bytes.byteLength - bufStart;
  const metadata: Record<string, string> = {};
  const entries: { name: string; dtype: SafetensorsDtype; shape: number[]; begin: number; end: number }[] = [];
  for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
        throw new CheckpointError(`${where}: __metadata__ must be an object of strings`);
      }
      for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
        if (typeof v !== 'string') throw new CheckpointError(`${where}: __metadata__.${k} must be a string, got ${typeof v}`);
        metadata[k] = v;
      }
      continue;
    }
    const info = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof info !== 'object' || info === null) throw new CheckpointError(`${where}: tensor '${name}': entry must be an object`);
    if (!isDtype(info.dtype)) {
      throw new CheckpointError(
        `${where}: tensor '${name}': unknown dtype ${JSON.stringify(info.dtype)} (known: ${Object.keys(SAFETENSORS_DTYPES).join(', ')})`,
      );
    }
    const shape = info.shape;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      throw new CheckpointError(`${where}: tensor '${name}': shape must be a list of non-negative integers, got ${JSON.stringify(shape)}`);
    }
    const off = info.data_offsets;
    if (!Array.isArray(off) || off.length !== 2 || !off.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      throw new CheckpointError(`${where}: tensor '${name}': data_offsets must be [begin, end], got ${JSON.stringify(off)}`);
    }
    const [begin, end] = off as [number, number];
    if (end < begin) throw new CheckpointError(`${where}: tensor '${name}': data_offsets end ${end} < begin ${begin}`);
    if (end > bufLen) {
      throw new CheckpointError(`${where}: tensor '${name}': data_offsets [${begin}, ${end}] run past the end of the data (${bufLen} bytes; file truncated?)`);
    }
    const expected = numel(shape as number[]) * SAFETENSORS_DTYPES[info.dtype];
    if (expected !== end - begin) {
      throw new CheckpointError(
        `${where}: tensor '${name}': shape [${(shape as number[]).join(', ')}] of ${info.dtype} needs ${expected} bytes, data_offsets give ${end - begin}`,
      );
    }
    entries.push({ name, dtype: info.dtype, shape: shape as number[], begin, end });
  }
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1]!;
    const cur = sorted[i]!;
    if (cur.begin < prev.end) {
      throw new CheckpointError(
        `${where}: tensor '${cur.name}': data_offsets [${cur.begin}, ${cur.end}] overlap tensor '${prev.name}' [${prev.begin}, ${prev.end}]`,
      );
    }
  }
  const tensors = new Map<string, SafeTensor>();
  for (const e of entries) {
    tensors.set(e.name, { dtype: e.dtype, shape: e.shape, data: bytes.subarray(bufStart + e.begin, bufStart + e.end) });
  }
  return { tensors, metadata };
}

/** Serialise tensors (in the given order) and metadata into a safetensors buffer. */
export function serializeSafetensors(
  tensors: Iterable<[string, SafeTensor]> | Map<string, SafeTensor>,
  metadata: Record<string, string> = {},
): Uint8Array {
  const list = [...tensors];
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const [name, t] of list) {
    if (name === '__metadata__') throw new CheckpointError(`safetensors: '__metadata__' is not a valid tensor name`);
    if (!isDtype(t.dtype)) throw new CheckpointError(`safetensors: tensor '${name}': unknown dtype ${String(t.dtype)}`);
    const expected = numel(t.shape) * SAFETENSORS_DTYPES[t.dtype];
    if (expected !== t.data.byteLength) {
      throw new CheckpointError(`safetensors: tensor '${name}': shape [${t.shape.join(', ')}] of ${t.dtype} needs ${expected} bytes, got ${t.data.byteLength}`);
    }
    header[name] = { dtype: t.dtype, shape: [...t.shape], data_offsets: [offset, offset + expected] };
    offset += expected;
  }
  let json = JSON.stringify(header);
  // Pad the header with spaces to a multiple of 8 bytes, as the reference writer does.
  let jsonBytes = new TextEncoder().encode(json);
  const pad = (8 - (jsonBytes.byteLength % 8)) % 8;
  if (pad > 0) {
    json += ' '.repeat(pad);
    jsonBytes = new TextEncoder().encode(json);
  }
  const out = new Uint8Array(8 + jsonBytes.byteLength + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(jsonBytes.byteLength), true);
  out.set(jsonBytes, 8);
  let pos = 8 + jsonBytes.byteLength;
  for (const [, t] of list) {
    out.set(t.data, pos);
    pos += t.data.byteLength;
  }
  return out;
}

/** Read and validate a safetensors file. */
export async function loadSafetensors(path: string): Promise<SafetensorsFile> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw new CheckpointError(`${path}: cannot read safetensors file`, { cause: e });
  }
  return parseSafetensors(bytes, path);
}

export function loadSafetensorsSync(path: string): SafetensorsFile {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new CheckpointError(`${path}: cannot read safetensors file`, { cause: e });
  }
  return parseSafetensors(bytes, path);
}

/** Write a safetensors file atomically (temp file, then rename). */
export async function saveSafetensors(
  path: string,
  tensors: Iterable<[string, SafeTensor]> | Map<string, SafeTensor>,
  metadata: Record<string, string> = {},
): Promise<void> {
  await writeFileAtomic(path, serializeSafetensors(tensors, metadata));
}

export function saveSafetensorsSync(
  path: string,
  tensors: Iterable<[string, SafeTensor]> | Map<string, SafeTensor>,
  metadata: Record<string, string> = {},
): void {
  writeFileAtomicSync(path, serializeSafetensors(tensors, metadata));
}

// ---- dtype conversion ---------------------------------------------------------------------------

const f32buf = new Float32Array(1);
const u32view = new Uint32Array(f32buf.buffer);

/** IEEE half (binary16) bits to a float. */
export function f16ToF32(h: number): number {
  const s = (h & 0x8000) >> 15;
  const e = (h & 0x7c00) >> 10;
  const f = h & 0x03ff;
  let v: number;
  if (e === 0) v = f * 2 ** -24;
  else if (e === 0x1f) v = f === 0 ? Infinity : NaN;
  else v = (1 + f / 1024) * 2 ** (e - 15);
  return s ? -v : v;
}

/** A float to IEEE half bits, round-to-nearest-even. */
export function f32ToF16(x: number): number {
  f32buf[0] = x;
  const b = u32view[0]!;
  const sign = (b >>> 16) & 0x8000;
  const exp = (b >>> 23) & 0xff;
  let mant = b & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >> shift;
    const rem = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    if (rem > mid || (rem === mid && (half & 1))) half += 1;
    return sign | half;
  }
  let half = (e << 10) | (mant >> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && (half & 1))) half += 1;
  return sign | half;
}

/** bfloat16 bits to a float. */
export function bf16ToF32(h: number): number {
  u32view[0] = (h & 0xffff) << 16;
  return f32buf[0]!;
}

/** A float to bfloat16 bits, round-to-nearest-even (NaN kept NaN). */
export function f32ToBf16(x: number): number {
  f32buf[0] = x;
  const b = u32view[0]!;
  if ((b & 0x7f800000) === 0x7f800000 && (b & 0x7fffff) !== 0) return ((b >>> 16) | 0x40) & 0xffff;
  const rounded = b + 0x7fff + ((b >>> 16) & 1);
  return (rounded >>> 16) & 0xffff;
}

/** Decode a floating-point or integer tensor to Float32Array (I64 via Number). */
export function tensorToFloat32(t: SafeTensor, name = 'tensor'): Float32Array {
  const n = numel(t.shape);
  const dv = new DataView(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  const out = new Float32Array(n);
  switch (t.dtype) {
    case 'F32':
      if (t.data.byteOffset % 4 === 0) return new Float32Array(t.data.buffer.slice(t.data.byteOffset, t.data.byteOffset + t.data.byteLength));
      for (let i = 0; i < n; i++) out[i] = dv.getFloat32(i * 4, true);
      return out;
    case 'F64':
      for (let i = 0; i < n; i++) out[i] = dv.getFloat64(i * 8, true);
      return out;
    case 'F16':
      for (let i = 0; i < n; i++) out[i] = f16ToF32(dv.getUint16(i * 2, true));
      return out;
    case 'BF16':
      for (let i = 0; i < n; i++) out[i] = bf16ToF32(dv.getUint16(i * 2, true));
      return out;
    case 'I32':
      for (let i = 0; i < n; i++) out[i] = dv.getInt32(i * 4, true);
      return out;
    case 'I64':
      for (let i = 0; i < n; i++) out[i] = Number(dv.getBigInt64(i * 8, true));
      return out;
    case 'I16':
      for (let i = 0; i < n; i++) out[i] = dv.getInt16(i * 2, true);
      return out;
    case 'I8':
      for (let i = 0; i < n; i++) out[i] = dv.getInt8(i);
      return out;
    case 'U8':
    case 'BOOL':
      for (let i = 0; i < n; i++) out[i] = dv.getUint8(i);
      return out;
    default:
      throw new CheckpointError(`safetensors: tensor '${name}': cannot convert dtype ${String(t.dtype)} to float32`);
  }
}

/** Encode float values as a tensor of a floating dtype. */
export function float32ToTensor(values: Float32Array | readonly number[], shape: readonly number[], dtype: 'F32' | 'F16' | 'BF16' | 'F64' = 'F32'): SafeTensor {
  const n = numel(shape);
  if (values.length !== n) throw new CheckpointError(`safetensors: shape [${shape.join(', ')}] needs ${n} values, got ${values.length}`);
  const size = SAFETENSORS_DTYPES[dtype];
  const data = new Uint8Array(n * size);
  const dv = new DataView(data.buffer);
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    if (dtype === 'F32') dv.setFloat32(i * 4, v, true);
    else if (dtype === 'F64') dv.setFloat64(i * 8, v, true);
    else if (dtype === 'F16') dv.setUint16(i * 2, f32ToF16(v), true);
    else dv.setUint16(i * 2, f32ToBf16(v), true);
  }
  return { dtype, shape: [...shape], data };
}

/** Encode integers as an I32 or I64 tensor. */
export function intsToTensor(values: Int32Array | readonly number[], shape: readonly number[], dtype: 'I32' | 'I64' = 'I32'): SafeTensor {
  const n = numel(shape);
  if (values.length !== n) throw new CheckpointError(`safetensors: shape [${shape.join(', ')}] needs ${n} values, got ${values.length}`);
  const data = new Uint8Array(n * SAFETENSORS_DTYPES[dtype]);
  const dv = new DataView(data.buffer);
  for (let i = 0; i < n; i++) {
    if (dtype === 'I32') dv.setInt32(i * 4, values[i]!, true);
    else dv.setBigInt64(i * 8, BigInt(values[i]!), true);
  }
  return { dtype, shape: [...shape], data };
}

/** Decode an integer tensor exactly (I8..I64, U8, BOOL) to plain numbers; I64 beyond 2^53 is an error. */
export function tensorToInts(t: SafeTensor, name = 'tensor'): number[] {
  const n = numel(t.shape);
  const dv = new DataView(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    switch (t.dtype) {
      case 'I64': {
        const v = dv.getBigInt64(i * 8, true);
        if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) {
          throw new CheckpointError(`safetensors: tensor '${name}': I64 value ${v} at index ${i} is not a safe integer`);
        }
        out[i] = Number(v);
        break;
      }
      case 'I32': out[i] = dv.getInt32(i * 4, true); break;
      case 'I16': out[i] = dv.getInt16(i * 2, true); break;
      case 'I8': out[i] = dv.getInt8(i); break;
      case 'U8': case 'BOOL': out[i] = dv.getUint8(i); break;
      default:
        throw new CheckpointError(`safetensors: tensor '${name}': dtype ${t.dtype} is not an integer type`);
    }
  }
  return out;
}
