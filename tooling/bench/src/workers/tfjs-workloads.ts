import { alexnet, batchFor, conv3x3, lenet5, type Network, trainStepAsync, vgg16 } from '@convkit/workloads';
import * as tf from '@tensorflow/tfjs-core';
import type { WorkloadId } from '../workloads.js';

/** A workload ready to time on the active tfjs backend. */
export interface TfjsWorkload {
  /** Trainable parameters actually allocated, to check against the architecture table. */
  params: number;
  run(): Promise<void>;
  dispose(): void;
}

const NETWORKS: Record<Exclude<WorkloadId, 'conv3x3'>, () => Network> = { lenet5, alexnet, vgg16 };

/**
 * Builds a workload from `@convkit/workloads`. Every run ends by reading the result
 * back (`data()`), so asynchronous backends (webgpu) are timed to completion.
 */
export function tfjsWorkload(id: WorkloadId, batch: number, mode: 'train' | 'forward'): TfjsWorkload {
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
  const net = NETWORKS[id]();
  const { x, y } = batchFor(net, batch);
  const params = net.variables.reduce((total, v) => total + v.size, 0);
  const dispose = () => {
    net.dispose();
    tf.dispose([x, y]);
  };
  if (mode === 'train') {
    const optimizer = tf.train.momentum(0.01, 0.9);
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
