import {
  alexnet,
  batchFor,
  conv3x3,
  type LayerOps,
  lenet5,
  type Network,
  sgdMomentum,
  trainStepAsync,
  unfusedOps,
  vgg16,
} from '@convkit/workloads';
import * as tf from '@tensorflow/tfjs-core';
import type { Job } from '../job.js';
import type { WorkloadId } from '../workloads.js';
import { mnistEpoch } from './mnist-epoch.js';

/** A workload ready to time on the active tfjs backend. */
export interface TfjsWorkload {
  /** Trainable parameters actually allocated, to check against the architecture table. */
  params: number;
  run(): Promise<void>;
  dispose(): void;
}

const NETWORKS: Record<'lenet5' | 'alexnet' | 'alexnet-train' | 'vgg16', (ops: LayerOps) => Network> = {
  lenet5: (ops) => lenet5(1, ops),
  alexnet: (ops) => alexnet(1, 224, ops),
  'alexnet-train': (ops) => alexnet(1, 224, ops),
  vgg16: (ops) => vgg16(1, ops),
};

/** SGEMM 2048³ as the architecture table writes it: a dense layer 2048 → 2048 on 2048 rows, bias included. */
function sgemm(batch: number): TfjsWorkload {
  const x = tf.randomUniform([batch, 2048], -1, 1, 'float32', 1) as tf.Tensor2D;
  const w = tf.randomNormal([2048, 2048], 0, 0.02, 'float32', 2) as tf.Tensor2D;
  const b = tf.zeros([2048]);
  return {
    params: w.size + b.size,
    run: async () => {
      const y = tf.tidy(() => tf.add(tf.matMul(x, w), b));
      await y.data();
      y.dispose();
    },
    dispose: () => tf.dispose([x, w, b]),
  };
}

/**
 * Builds a workload from `@convkit/workloads` (the benchmark networks). Every
 * run ends by reading the result back (`data()`), so asynchronous backends
 * are timed to completion: webgpu, and cuda, whose kernels are queued on one
 * stream that a read waits for (the addon's download synchronizes it).
 * `ops` computes the networks' conv and dense layers (worker/layer-ops.ts picks them).
 */
export function tfjsWorkload(workload: Job['workload'], ops: LayerOps = unfusedOps): TfjsWorkload {
  const { id, batch, mode } = workload;
  if (id === 'conv3x3') {
    const c = conv3x3(batch);
    return {
      params: c.w.size,
      run: async () => {
        const y = c.run();
        await y.data();
        y.dispose();
      },
      dispose: c.dispose,
    };
  }
  if (id === 'sgemm') return sgemm(batch);
  if (mode === 'epoch') {
    if (!workload.data) throw new Error(`the ${id} workload needs its dataset files in the job`);
    return mnistEpoch(workload.data, batch, ops);
  }
  const net = NETWORKS[id as Exclude<WorkloadId, 'conv3x3' | 'sgemm' | 'mnist'>](ops);
  const { x, y } = batchFor(net, batch);
  const params = net.variables.reduce((total, v) => total + v.size, 0);
  const dispose = () => {
    net.dispose();
    tf.dispose([x, y]);
  };
  if (mode === 'train') {
    const optimizer = sgdMomentum(0.01, 0.9);
    return {
      params,
      // Reading the loss back waits for the whole step, backward and update included.
      run: async () => {
        await trainStepAsync(net, optimizer, x, y);
      },
      dispose: () => {
        optimizer.dispose();
        dispose();
      },
    };
  }
  return {
    params,
    run: async () => {
      const out = tf.tidy(() => net.forward(x));
      await out.data();
      out.dispose();
    },
    dispose,
  };
}
