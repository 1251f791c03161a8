/**
 * The xrec error hierarchy. Every error thrown by an xrec package extends {@link XrecError}, carries a
 * stable machine-readable `code` and an optional `cause`. Messages say what, where, expected vs got:
 * `transformer.forward: sequence length 1500 exceeds contextLength 1024`.
 */

/** Stable error codes. Never renamed once released; new codes may be added. */
export const ERROR_CODES = {
  config: 'XREC_CONFIG',
  data: 'XREC_DATA',
  shape: 'XREC_SHAPE',
  vocab: 'XREC_VOCAB',
  checkpoint: 'XREC_CHECKPOINT',
  backend: 'XREC_BACKEND',
  notFound: 'XREC_NOT_FOUND',
  state: 'XREC_STATE',
  network: 'XREC_NETWORK',
} as const;

export type ErrorCode = (typeof ERROR_CODES)[keyof typeof ERROR_CODES];

export interface XrecErrorOptions {
  readonly cause?: unknown;
}

/** Base class of every xrec error. */
export class XrecError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options: XrecErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
  }
}

/** An invalid configuration value; the message names the field. */
export class ConfigError extends XrecError {
  constructor(message: string, options?: XrecErrorOptions) {
    super(ERROR_CODES.config, message, options);
  }
}

/** Input data that cannot be read or does not have the expected structure; names file and line where known. */
export class DataError extends XrecError {
  constructor(message: string, options?: XrecErrorOptions) {
    super(ERROR_CODES.data, message, options);
  }
}

/** Tensor or array shapes that do not agree. */
export class ShapeError extends XrecError {
  constructor(message: string, options?: XrecErrorOptions) {
    super(ERROR_CODES.shape, message, options);
  }
}

/** A vocabulary or tokenizer file that is invalid, or a token id / text it cannot handle. */
export class VocabError extends XrecError {
  constructor(message: string, options?: XrecErrorOptions) {
    super(ERROR_CODES.vocab, message, options);
  }
}

/** A checkpoint (safetensors, config, llama2.c .bin) that is corrupt or does not match its model. */
export class CheckpointError extends XrecError {
  constructor(message: string, options?: XrecErrorOptions) {
    super(ERROR_CODES.checkpoint, message, options);
  }
}

/** A tensor backend that cannot be loaded or lacks a capability. */
export class BackendError extends XrecError {
  constructor(message: string, options?: XrecErrorOptions) {
    super(ERROR_CODES.backend, message, options);
  }
}

/** A named thing (dataset, user, item, file, model) that does not exist. */
export class NotFoundError extends XrecError {
  constructor(message: string, options?: XrecErrorOptions) {
    super(ERROR_CODES.notFound, message, options);
  }
}

/** An operation called in a state that does not allow it (e.g. merging an already merged adapter). */
export class StateError extends XrecError {
  constructor(message: string, options?: XrecErrorOptions) {
    super(ERROR_CODES.state, message, options);
  }
}

/** A download that failed (offline, HTTP error, checksum mismatch). */
export class NetworkError extends XrecError {
  constructor(message: string, options?: XrecErrorOptions) {
    super(ERROR_CODES.network, message, options);
  }
}

/** True when `e` is an xrec error, optionally of one code. */
export function isXrecError(e: unknown, code?: ErrorCode): e is XrecError {
  return e instanceof XrecError && (code === undefined || e.code === code);
}
