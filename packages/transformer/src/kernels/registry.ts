/**
 * The registry of xrec's fused JS kernels: a {@link JsKernel} declares its output shapes and computes them
 * with plain JS loops over the backend's memory; {@link registerJsKernel} registers it on the wasm and cpu
 * backends, and {@link setKernelCompute} lets the native kernel setup swap in the same contract in C.
 */
import * as tf from '@tensorflow/tfjs';

/** The parts of the wasm and cpu backends the kernels below use. */
export interface HeapBackend {
  readSync(id: unknown): tf.TypedArray;
  makeOutput(shape: number[], dtype: string): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): tf.TypedArray;
}
export interface CpuBackend {
  readSync(id: unknown): tf.TypedArray;
  makeTensorInfo(shape: number[], dtype: string, values: tf.TypedArray): tf.TensorInfo;
}

/** A JS kernel: output shapes from input shapes, and a function filling the outputs. */
export interface JsKernel {
  readonly name: string;
  outShapes(inShapes: number[][], attrs: Record<string, unknown>): number[][];
  compute(inputs: tf.TypedArray[], outputs: Float32Array[], inShapes: number[][], attrs: Record<string, unknown>): void;
}

const computeOverrides = new Map<string, JsKernel['compute']>();

/**
 * Replace the compute function of a registered (or later registered) {@link JsKernel} by name — used by the
 * native kernel setup to run the same contract in C. `undefined` restores the JS loop.
 */
export function setKernelCompute(name: string, compute: JsKernel['compute'] | undefined): void {
  if (compute) computeOverrides.set(name, compute);
  else computeOverrides.delete(name);
}

/** Register a {@link JsKernel} on the wasm and cpu backends (inputs in the declared order of `inputNames`). */
export function registerJsKernel(k: JsKernel, inputNames: readonly string[]): void {
  const gather = (inputs: tf.NamedTensorInfoMap): tf.TensorInfo[] => inputNames.map((n) => inputs[n]!).filter((t) => t !== undefined);
  if (!tf.getKernel(k.name, 'wasm')) {
    tf.registerKernel({
      kernelName: k.name,
      backendName: 'wasm',
      kernelFunc: ({ inputs, attrs, backend }) => {
        const b = backend as unknown as HeapBackend;
        const ins = gather(inputs as tf.NamedTensorInfoMap);
        const shapes = ins.map((t) => [...t.shape]);
        const outs = k.outShapes(shapes, attrs as Record<string, unknown>).map((s) => b.makeOutput(s, 'float32'));
        // Views are taken after every allocation (which may grow, and so detach, the wasm heap).
        (computeOverrides.get(k.name) ?? k.compute)(
          ins.map((t) => b.typedArrayFromHeap(t)),
          outs.map((o) => b.typedArrayFromHeap(o) as Float32Array),
          shapes,
          attrs as Record<string, unknown>,
        );
        return outs.length === 1 ? outs[0]! : outs;
      },
    });
  }
  if (!tf.getKernel(k.name, 'cpu')) {
    tf.registerKernel({
      kernelName: k.name,
      backendName: 'cpu',
      kernelFunc: ({ inputs, attrs, backend }) => {
        const b = backend as unknown as CpuBackend;
        const ins = gather(inputs as tf.NamedTensorInfoMap);
        const shapes = ins.map((t) => [...t.shape]);
        const outShapes = k.outShapes(shapes, attrs as Record<string, unknown>);
        const outs = outShapes.map((s) => new Float32Array(s.reduce((a, c) => a * c, 1)));
        (computeOverrides.get(k.name) ?? k.compute)(ins.map((t) => b.readSync(t.dataId)), outs, shapes, attrs as Record<string, unknown>);
        const infos = outs.map((o, i) => b.makeTensorInfo(outShapes[i]!, 'float32', o));
        return infos.length === 1 ? infos[0]! : infos;
      },
    });
  }
}

/**
 * A per-backend switch of a fused path that only some setups provide (the native kernel setup turns a path
 * on for wasm; tests turn it on for cpu, where the JS reference computes it). Turning it on registers the
 * path's kernels.
 */
export function backendSwitch(register: () => void): { set(enabled: boolean, backend?: string): void; active(): boolean } {
  const on = new Set<string>();
  return {
    set(enabled, backend = 'wasm') {
      if (enabled) {
        register();
        on.add(backend);
      } else on.delete(backend);
    },
    active: () => on.size > 0 && on.has(tf.getBackend()),
  };
}
