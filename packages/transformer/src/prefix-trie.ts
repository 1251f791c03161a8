/**
 * A prefix trie over token sequences for constrained decoding (P5's generative item ranking: beams may only
 * spell valid item ids). `allowed(prefix)` lists the tokens that continue some stored sequence.
 */
import { ConfigError } from '@xrec/core';

interface Node {
  readonly next: Map<number, Node>;
}

export class PrefixTrie {
  private readonly root: Node = { next: new Map() };
  private count = 0;

  /** A trie of `sequences` (each typically ending with the end-of-sequence id). */
  constructor(sequences: Iterable<readonly number[]> = []) {
    for (const s of sequences) this.add(s);
  }

  add(seq: readonly number[]): void {
    if (seq.length === 0) throw new ConfigError('PrefixTrie: an empty sequence cannot be stored');
    let n = this.root;
    for (const t of seq) {
      let c = n.next.get(t);
      if (!c) {
        c = { next: new Map() };
        n.next.set(t, c);
      }
      n = c;
    }
    this.count++;
  }

  get size(): number {
    return this.count;
  }

  /** Tokens that extend `prefix` toward a stored sequence (empty when `prefix` is complete or leaves the trie). */
  allowed(prefix: readonly number[]): number[] {
    let n: Node | undefined = this.root;
    for (const t of prefix) {
      n = n.next.get(t);
      if (!n) return [];
    }
    return [...n.next.keys()];
  }
}
