// The bench's optimizer: SGD with momentum, `v ← μ·v + g`, `w ← w − lr·v`,
// the update tfjs' `tf.train.momentum(lr, μ)` applies and PyTorch's
// `SGD(lr, momentum=μ)` (dampening 0, no decay, no Nesterov) too. Where the
// backend has the fused update (`ConvkitSgdUpdate`: native's, wasm's),
// one kernel call updates every variable of the step instead of four per
// variable; elsewhere tfjs' own optimizer runs. Both do the same float32
// operations (`w + (−lr)·v` is `w − lr·v` to the bit), so the numbers a
// bench row trains on do not depend on which ran.
import * as tf from '@tensorflow/tfjs-core';

/** What a training step needs from an optimizer (tfjs' optimizers have it too). */
export interface StepOptimizer {
  minimize(f: () => tf.Scalar, returnCost: boolean, varList: tf.Variable[]): tf.Scalar | null;
  dispose(): void;
}

/** The fused update's name, as @convkit/backend-native and @convkit/backend's wasm kernels register it (native's kernels/optimizer.ts has the contract). */
const FUSED_SGD = 'ConvkitSgdUpdate';

/** SGD with momentum over every variable, in one kernel call per step where the backend can. */
export function sgdMomentum(lr = 0.01, momentum = 0.9): StepOptimizer {
  // Made on first use: tfjs' optimizer keeps a scalar tensor even after dispose().
  let fallback: tf.Optimizer | undefined;
  const velocities = new Map<tf.Variable, tf.Variable>();
  const velocityOf = (w: tf.Variable) => {
    let v = velocities.get(w);
    if (!v) {
      v = tf.variable(tf.zerosLike(w), false);
      velocities.set(w, v);
    }
    return v;
  };
  const fusedUpdate = (vars: tf.Variable[], grads: tf.NamedTensorMap) =>
    tf.tidy(() => {
      const inputs: tf.NamedTensorMap = {};
      vars.forEach((w, i) => {
        Object.assign(inputs, { [`w${i}`]: w, [`g${i}`]: grads[w.name], [`v${i}`]: velocityOf(w) });
      });
      const attrs = { lr, momentum, nesterov: false, weightDecay: 0, decay: vars.map(() => 0) };
      const out = tf.engine().runKernel(FUSED_SGD, inputs, attrs) as unknown as tf.Tensor[];
      vars.forEach((w, i) => {
        w.assign(out[i] as tf.Tensor);
        velocityOf(w).assign(out[vars.length + i] as tf.Tensor);
      });
    });
  return {
    minimize(f, returnCost, varList) {
      const { value, grads } = tf.variableGrads(f, varList);
      const vars = varList.filter((w) => grads[w.name] !== undefined);
      const fused =
        tf.getKernel(FUSED_SGD, tf.getBackend()) !== undefined &&
        vars.every((w) => w.dtype === 'float32' && grads[w.name]?.dtype === 'float32');
      if (fused) fusedUpdate(vars, grads);
      else {
        fallback ??= tf.train.momentum(lr, momentum);
        fallback.applyGradients(grads);
      }
      tf.dispose(grads);
      if (returnCost) return value;
      value.dispose();
      return null;
    },
    dispose() {
      fallback?.dispose();
      for (const v of velocities.values()) v.dispose();
      velocities.clear();
    },
  };
}
