/** Format names and versions written into xrec artifacts and checked on load. */
export const XREC_VERSION = '0.1.0';

/** Check a saved artifact's `format` and `format_version`; throws a descriptive error otherwise. */
export function checkFormat(
  where: string,
  got: { format?: unknown; format_version?: unknown },
  expected: { format: string; maxVersion: number },
  makeError: (msg: string) => Error,
): number {
  if (got.format !== expected.format) {
    throw makeError(`${where}: expected format '${expected.format}', got ${JSON.stringify(got.format)}`);
  }
  const v = Number(got.format_version);
  if (!Number.isInteger(v) || v < 1 || v > expected.maxVersion) {
    throw makeError(`${where}: unsupported ${expected.format} format_version ${JSON.stringify(got.format_version)} (this xrec reads 1..${expected.maxVersion})`);
  }
  return v;
}
