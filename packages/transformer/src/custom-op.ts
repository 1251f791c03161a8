/** `tf.customGrad` with typed bodies, shared by the ops that define their own gradients. */
import * as tf from '@tensorflow/tfjs';

export type SaveFn = (tensors: tf.Tensor[]) => void;
export type GradFn = (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor[];
export type OpBody = (...args: never[]) => { value: tf.Tensor; gradFunc: GradFn };

/** `tf.customGrad` with the inputs typed by the body (tfjs types every input as Tensor | save function). */
export function customOp(f: OpBody): (...inputs: tf.Tensor[]) => tf.Tensor {
  return (tf.customGrad as unknown as (g: OpBody) => (...inputs: tf.Tensor[]) => tf.Tensor)(f);
}

/** Whether the engine is recording a gradient tape here (inside `tf.grad`/`variableGrads`, outside a kernel). */
export function tapeIsOn(): boolean {
  return (tf.engine() as unknown as { isTapeOn(): boolean }).isTapeOn();
}
