import { describe, it, expect, afterAll } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import {
  parseSafetensors,
  serializeSafetensors,
  saveSafetensors,
  loadSafetensors,
  tensorToFloat32,
  tensorToInts,
  float32ToTensor,
  intsToTensor,
  f16ToF32,
  f32ToF16,
  bf16ToF32,
  f32ToBf16,
  type SafeTensor,
} from './safetensors.js';
import { CheckpointError } from './errors.js';

const temps: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'xrec-st-'));
  temps.push(d);
  return d;
};
afterAll(() => temps.forEach((d) => rmSync(d, { recursive: true, force: true })));

const fixture = join(import.meta.dirname, '..', 'test', 'fixtures', 'handmade.safetensors');

function header(obj: unknown, data: Uint8Array): Uint8Array {
  const h = new TextEncoder().encode(JSON.stringify(obj));
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}

describe('safetensors', () => {
  it('loads the file laid out by hand from the specification (Python struct + numpy)', async () => {
    const f = await loadSafetensors(fixture);
    expect(f.metadata).toEqual({ format: 'handmade', format_version: '1' });
    expect([...f.tensors.keys()]).toEqual(['a.f32', 'b.f16', 'c.bf16', 'd.i32', 'e.i64']);
    expect([...tensorToFloat32(f.tensors.get('a.f32')!)]).toEqual([-1, -0.5, 0, 0.5, 1, 1.5]);
    expect(f.tensors.get('a.f32')!.shape).toEqual([2, 3]);
    expect([...tensorToFloat32(f.tensors.get('b.f16')!)]).toEqual([1, -2.5, 65504, 0.00006103515625]);
    expect([...tensorToFloat32(f.tensors.get('c.bf16')!)]).toEqual([1.5, -3]);
    expect(tensorToInts(f.tensors.get('d.i32')!)).toEqual([-7, 0, 2147483647]);
    expect(tensorToInts(f.tensors.get('e.i64')!)).toEqual([-1, 2 ** 40]);
  });

  it('round-trips bit-exactly, and our serialisation of the fixture reproduces its bytes', async () => {
    const bytes = new Uint8Array(readFileSync(fixture));
    const f = parseSafetensors(bytes);
    const again = serializeSafetensors(f.tensors, f.metadata);
    // Same tensors and offsets; header key order is ours (metadata first), as in the fixture.
    expect(Buffer.from(again).equals(Buffer.from(bytes))).toBe(true);
    const dir = tempDir();
    const tensors = new Map<string, SafeTensor>([
      ['w', float32ToTensor(new Float32Array([Math.PI, -0, NaN, Infinity, 1e-40]), [5])],
      ['ids', intsToTensor([1, -2, 3], [3], 'I64')],
      ['h', float32ToTensor([0.1, 0.2], [1, 2], 'F16')],
      ['empty', float32ToTensor([], [0, 4])],
    ]);
    await saveSafetensors(join(dir, 'x.safetensors'), tensors, { format: 'xrec', format_version: '1' });
    expect(readdirSync(dir)).toEqual(['x.safetensors']);
    const back = await loadSafetensors(join(dir, 'x.safetensors'));
    for (const [k, t] of tensors) {
      const b = back.tensors.get(k)!;
      expect(b.dtype).toBe(t.dtype);
      expect(b.shape).toEqual(t.shape);
      expect(Buffer.from(b.data).equals(Buffer.from(t.data))).toBe(true);
    }
  });

  it('f16 and bf16 conversions round-trip every finite half value', () => {
    for (let h = 0; h < 0x10000; h++) {
      const e = (h >> 10) & 0x1f;
      if (e === 0x1f) continue;
      expect(f32ToF16(f16ToF32(h))).toBe(h);
      expect(f32ToBf16(bf16ToF32(h))).toBe(h & 0xffff);
    }
    fc.assert(fc.property(fc.float({ noNaN: true, noDefaultInfinity: true, min: -60000, max: 60000 }), (x) => {
      const y = f16ToF32(f32ToF16(x));
      return Math.abs(y - x) <= Math.max(Math.abs(x) * 2 ** -11, 2 ** -25);
    }));
  });

  const bad: [string, () => Uint8Array, RegExp][] = [
    ['a truncated file', () => new Uint8Array(readFileSync(fixture)).subarray(0, 100), /truncated/],
    ['a file shorter than 8 bytes', () => new Uint8Array([1, 2, 3]), /too short/],
    [
      'data that stops before the last tensor ends',
      () => {
        const b = new Uint8Array(readFileSync(fixture));
        return b.subarray(0, b.length - 4);
      },
      /tensor 'e.i64'.*run past the end/,
    ],
    [
      'overlapping offsets',
      () => header({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] } }, new Uint8Array(12)),
      /tensor 'b'.*overlap tensor 'a'/,
    ],
    ['offsets past the end', () => header({ a: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } }, new Uint8Array(8)), /tensor 'a'.*past the end/],
    ['an unknown dtype', () => header({ a: { dtype: 'F8_E9', shape: [1], data_offsets: [0, 1] } }, new Uint8Array(1)), /tensor 'a': unknown dtype "F8_E9"/],
    ['a shape that does not match the data', () => header({ a: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, new Uint8Array(8)), /tensor 'a': shape \[3\].*needs 12 bytes.*give 8/],
    ['a header that is not JSON', () => header({}, new Uint8Array()).map((x, i) => (i === 8 ? 0x7b + 1 : x)), /not valid UTF-8 JSON/],
    ['a non-string metadata value', () => header({ __metadata__: { v: 1 } }, new Uint8Array()), /__metadata__.v must be a string/],
  ];
  for (const [what, make, msg] of bad) {
    it(`rejects ${what} with a CheckpointError`, () => {
      let err: unknown;
      try {
        parseSafetensors(make(), 'bad.safetensors');
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(CheckpointError);
      expect((err as CheckpointError).code).toBe('XREC_CHECKPOINT');
      expect((err as Error).message).toMatch(msg);
    });
  }

  it('does not leave a file behind when a write fails validation', async () => {
    const dir = tempDir();
    await expect(
      saveSafetensors(join(dir, 'x.safetensors'), [['a', { dtype: 'F32', shape: [3], data: new Uint8Array(4) }]]),
    ).rejects.toThrow(CheckpointError);
    expect(readdirSync(dir)).toEqual([]);
    writeFileSync(join(dir, 'y'), 'keep');
    expect(readFileSync(join(dir, 'y'), 'utf8')).toBe('keep');
  });
});
