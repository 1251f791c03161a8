/**
 * Test helper: llama2.c's tokenizer.bin (stories260K's tok512) with run.c's `encode` — one piece per UTF-8
 * character (byte fallback id = byte + 3), a dummy-prefix space, then repeatedly merge the adjacent pair
 * whose concatenation is in the vocabulary with the highest score.
 */
import { readFileSync } from 'node:fs';

export interface Llama2cTokenizer {
  readonly vocabSize: number;
  encode(text: string): number[];
}

export function loadLlama2cTokenizer(path: string, vocabSize = 512): Llama2cTokenizer {
  const buf = readFileSync(path);
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let off = 4;
  const ids = new Map<string, number>();
  const scores: number[] = [];
  for (let i = 0; i < vocabSize; i++) {
    scores.push(dv.getFloat32(off, true));
    const len = dv.getInt32(off + 4, true);
    off += 8;
    const piece = buf.subarray(off, off + len).toString('latin1');
    off += len;
    if (!ids.has(piece)) ids.set(piece, i);
  }
  return {
    vocabSize,
    encode(text: string): number[] {
      if (text === '') return [];
      const toks: number[] = [ids.get(' ')!];
      for (const ch of text) {
        const bytes = Buffer.from(ch, 'utf8');
        const id = ids.get(bytes.toString('latin1'));
        if (id !== undefined) toks.push(id);
        else for (const b of bytes) toks.push(b + 3);
      }
      const pieceOf = (id: number, raw: Map<number, string>) => raw.get(id)!;
      const raw = new Map<number, string>([...ids].map(([s, i]) => [i, s]));
      for (;;) {
        let best = -1e10;
        let at = -1;
        let bestId = -1;
        for (let i = 0; i + 1 < toks.length; i++) {
          const id = ids.get(pieceOf(toks[i]!, raw) + pieceOf(toks[i + 1]!, raw));
          if (id !== undefined && scores[id]! > best) {
            best = scores[id]!;
            at = i;
            bestId = id;
          }
        }
        if (at < 0) break;
        toks.splice(at, 2, bestId);
      }
      return toks;
    },
  };
}
