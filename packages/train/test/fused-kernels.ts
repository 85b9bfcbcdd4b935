// The fused update kernels' contract (@convkit/backend-native's
// kernels/optimizer.ts), written again in plain float32 loops and registered
// on the cpu backend, so the fused path of the optimizers is tested where the
// addon is not built: inputs w<i>, g<i>, v<i> (m<i>); outputs the new
// weights, then the new states.
import * as tf from '@tensorflow/tfjs-core';

const f = Math.fround;
type Args = { inputs: Record<string, tf.TensorInfo>; backend: unknown; attrs: Record<string, unknown> };
interface CpuData {
  data: { get(id: tf.DataId): { values: Float32Array } };
  makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): tf.TensorInfo;
}

/** How many times each reference kernel ran. */
export const calls = { sgd: 0, adam: 0 };

function read(args: Args, key: string, i: number): Float32Array {
  const info = args.inputs[`${key}${i}`] as tf.TensorInfo;
  return (args.backend as CpuData).data.get(info.dataId).values;
}

function emit(args: Args, i: number, values: Float32Array): tf.TensorInfo {
  return (args.backend as CpuData).makeTensorInfo(
    [...(args.inputs[`w${i}`] as tf.TensorInfo).shape],
    'float32',
    values,
  );
}

function sgd(args: Args): tf.TensorInfo[] {
  calls.sgd++;
  const { lr, momentum, nesterov, weightDecay, decay } = args.attrs as {
    [key in 'lr' | 'momentum' | 'nesterov' | 'weightDecay']: number;
  } & { decay: number[] };
  const newW: tf.TensorInfo[] = [];
  const newV: tf.TensorInfo[] = [];
  decay.forEach((d, i) => {
    const [w, g] = [read(args, 'w', i), read(args, 'g', i)];
    const v = momentum > 0 ? read(args, 'v', i) : undefined;
    const [wo, vo] = [new Float32Array(w.length), new Float32Array(w.length)];
    for (let k = 0; k < w.length; k++) {
      const gd = d ? f((g[k] as number) + f((w[k] as number) * f(weightDecay))) : (g[k] as number);
      if (!v) {
        wo[k] = f((w[k] as number) - f(gd * f(lr)));
        continue;
      }
      const vn = f(f((v[k] as number) * f(momentum)) + gd);
      vo[k] = vn;
      wo[k] = f((w[k] as number) - f((nesterov ? f(gd + f(vn * f(momentum))) : vn) * f(lr)));
    }
    newW.push(emit(args, i, wo));
    if (v) newV.push(emit(args, i, vo));
  });
  return [...newW, ...newV];
}

function adam(args: Args): tf.TensorInfo[] {
  calls.adam++;
  const { lr, beta1, beta2, epsilon, weightDecay, bias1, bias2, decay } = args.attrs as {
    [key in 'lr' | 'beta1' | 'beta2' | 'epsilon' | 'weightDecay' | 'bias1' | 'bias2']: number;
  } & { decay: number[] };
  const out: tf.TensorInfo[][] = [[], [], []];
  decay.forEach((d, i) => {
    const [w, g, m, v] = ['w', 'g', 'm', 'v'].map((key) => read(args, key, i)) as Float32Array[];
    const [wo, mo, vo] = [0, 1, 2].map(() => new Float32Array((w as Float32Array).length)) as Float32Array[];
    for (let k = 0; k < (w as Float32Array).length; k++) {
      const wk = w?.[k] as number;
      const gd = d ? f((g?.[k] as number) + f(wk * f(weightDecay))) : (g?.[k] as number);
      const mn = f(f((m?.[k] as number) * f(beta1)) + f(gd * f(1 - beta1)));
      const vn = f(f((v?.[k] as number) * f(beta2)) + f(f(gd * gd) * f(1 - beta2)));
      const step = f(f(f(mn / f(bias1)) / f(f(Math.sqrt(f(vn / f(bias2)))) + f(epsilon))) * f(lr));
      [(wo as Float32Array)[k], (mo as Float32Array)[k], (vo as Float32Array)[k]] = [f(wk - step), mn, vn];
    }
    [wo, mo, vo].forEach((a, j) => {
      out[j]?.push(emit(args, i, a as Float32Array));
    });
  });
  return out.flat();
}

const KERNELS = { ConvkitSgdUpdate: sgd, ConvkitAdamUpdate: adam };

/** Registers the reference kernels on `cpu`; returns the function that unregisters them. */
export function registerReferenceKernels(): () => void {
  for (const [kernelName, kernelFunc] of Object.entries(KERNELS))
    tf.registerKernel({ kernelName, backendName: 'cpu', kernelFunc: kernelFunc as unknown as tf.KernelFunc });
  return () => {
    for (const kernelName of Object.keys(KERNELS)) tf.unregisterKernel(kernelName, 'cpu');
  };
}
