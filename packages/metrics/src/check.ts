/** Input checks shared by the metric entry points (internal). */
import { ShapeError } from '@xrec/core';

/** Check that two parallel corpora have the same number of rows (Python's zip would truncate silently). */
export function checkParallel(where: string, references: readonly unknown[], generated: readonly unknown[]): void {
  if (references.length !== generated.length) {
    throw new ShapeError(
      `${where}: references and generated must have the same length, got ${references.length} references and ${generated.length} generated`,
    );
  }
}
