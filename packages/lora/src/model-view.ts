/**
 * The slice of @xrec/transformer's `TransformerLM` that LoRA adapts, as picks of the real types (declared
 * once, in the transformer): any object with these members — the real model or a small test double — can
 * be adapted.
 */
import type { LinearAdapter, LinearLayer, TransformerLM } from '@xrec/transformer';

export type LinearAdapterLike = LinearAdapter;
/** A linear layer as LoRA uses it (the transformer's `LinearLayer` without its own `apply`). */
export type LinearLayerLike = Omit<LinearLayer, 'apply'>;
/** The model members LoRA uses. */
export type LoraHost = Pick<TransformerLM, 'parameters' | 'setTrainable' | 'trainableVariables'> & { linearLayers(): LinearLayerLike[] };
