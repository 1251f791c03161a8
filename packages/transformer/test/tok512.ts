/**
 * A minimal decoder for llama2.c's tokenizer.bin format (test helper; the real tokenizer lives in
 * @xrec/tokenizer): int32 max_token_length, then per token { float32 score, int32 len, len bytes }.
 * Decoding follows run.c: after BOS (id 1) one leading space is stripped; "<0xHH>" pieces are raw bytes.
 */
import { readFileSync } from 'node:fs';

export interface Tok512 {
  pieces: Uint8Array[];
  decode(ids: readonly number[], prev?: number): string;
}

export function loadTok512(path: string, vocabSize = 512): Tok512 {
  const buf = readFileSync(path);
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let off = 4;
  const pieces: Uint8Array[] = [];
  for (let i = 0; i < vocabSize; i++) {
    off += 4; // score
    const len = dv.getInt32(off, true);
    off += 4;
    pieces.push(buf.subarray(off, off + len));
    off += len;
  }
  const bytesOf = (prev: number, id: number): number[] => {
    let p = Array.from(pieces[id]!);
    if (prev === 1 && p[0] === 0x20) p = p.slice(1);
    const s = String.fromCharCode(...p);
    const m = /^<0x([0-9A-F]{2})>$/.exec(s);
    return m ? [parseInt(m[1]!, 16)] : p;
  };
  return {
    pieces,
    decode(ids, prev = 1) {
      const out: number[] = [];
      let last = prev;
      for (const id of ids) {
        out.push(...bytesOf(last, id));
        last = id;
      }
      return new TextDecoder().decode(new Uint8Array(out));
    },
  };
}
