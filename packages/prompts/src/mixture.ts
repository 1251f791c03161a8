/**
 * Combining prefixes (the hook UP5's prompt mixture plugs into): a {@link PrefixMixture} turns the prefixes of
 * several modules (e.g. one per sensitive attribute) into one. {@link concatPrefixes} is the plain one:
 * every layer's keys and values joined along the prefix axis.
 */
import * as tf from '@tensorflow/tfjs';
import { ConfigError } from '@xrec/core';
import type { PrefixKV } from '@xrec/transformer';

export interface PrefixMixture {
  /** One prefix from the selected parts (their order is the caller's). */
  mix(parts: readonly PrefixKV[]): PrefixKV;
  /** Trainable variables of the mixture itself (none for a fixed rule). */
  variables(): Map<string, tf.Variable>;
}

/** Join prefixes along the prefix axis, layer by layer (they must agree on layers, batch, heads and head dim). */
export function concatPrefixes(parts: readonly PrefixKV[]): PrefixKV {
  if (parts.length === 0) throw new ConfigError('concatPrefixes: no prefixes to join');
  const layers = parts[0]!.k.length;
  if (parts.some((p) => p.k.length !== layers || p.v.length !== layers)) throw new ConfigError('concatPrefixes: the prefixes have different numbers of layers');
  if (parts.length === 1) return parts[0]!;
  const join = (pick: (p: PrefixKV) => readonly tf.Tensor4D[]) => Array.from({ length: layers }, (_, l) => tf.concat(parts.map((p) => pick(p)[l]!), 2) as tf.Tensor4D);
  return { k: join((p) => p.k), v: join((p) => p.v) };
}

export const concatMixture: PrefixMixture = { mix: concatPrefixes, variables: () => new Map() };
