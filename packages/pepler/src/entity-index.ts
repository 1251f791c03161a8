/** String ids of users/items seen in training <-> dense indices of the prompt embedding tables. */
import { NotFoundError } from '@xrec/core';

export class EntityIndex {
  readonly kind: 'user' | 'item';
  private readonly ids: string[] = [];
  private readonly index = new Map<string, number>();

  constructor(kind: 'user' | 'item', ids: Iterable<string> = []) {
    this.kind = kind;
    for (const id of ids) this.add(id);
  }

  /** Add an id (no-op when present); returns its index. */
  add(id: string): number {
    const have = this.index.get(id);
    if (have !== undefined) return have;
    const i = this.ids.length;
    this.ids.push(id);
    this.index.set(id, i);
    return i;
  }

  get size(): number {
    return this.ids.length;
  }

  has(id: string): boolean {
    return this.index.has(id);
  }

  /** Index of an id seen in training; a {@link NotFoundError} otherwise (cold start is PromptRec's job). */
  get(id: string): number {
    const i = this.index.get(id);
    if (i === undefined) {
      throw new NotFoundError(
        `pepler: ${this.kind} '${id}' was not seen in training (${this.size} ${this.kind}s known); PEPLER learns one prompt per ${this.kind} and cannot explain cold-start ${this.kind}s`,
      );
    }
    return i;
  }

  idAt(i: number): string {
    const id = this.ids[i];
    if (id === undefined) throw new NotFoundError(`pepler: no ${this.kind} at index ${i} (size ${this.size})`);
    return id;
  }

  toArray(): string[] {
    return [...this.ids];
  }
}
