import { loadIdxPair, shuffledIndices } from '@convkit/data';
import { type LayerOps, lenet5, sgdMomentum, trainStepAsync, unfusedOps } from '@convkit/workloads';
import * as tf from '@tensorflow/tfjs-core';
import type { Job } from '../job.js';
import type { TfjsWorkload } from './tfjs-workloads.js';

/**
 * One epoch of LeNet-5 on MNIST, as a training loop runs it: each epoch in
 * a new seeded order, batches gathered from the dataset held as one tensor
 * (pixels / 255), an SGD-with-momentum step per batch (lr 0.01, momentum
 * 0.9) whose loss is read back, as a progress display does. torch_bench.py
 * runs the same loop. Reading the IDX files is not timed.
 */
export function mnistEpoch(
  files: NonNullable<Job['workload']['data']>,
  batch: number,
  ops: LayerOps = unfusedOps,
): TfjsWorkload {
  const data = loadIdxPair(files.images, files.labels);
  const count = Math.min(files.examples, data.count);
  const pixels = data.height * data.width;
  const images = tf.tidy(() =>
    tf.div(
      tf.tensor4d(Float32Array.from(data.images.subarray(0, count * pixels)), [count, data.height, data.width, 1]),
      255,
    ),
  );
  const labels = tf.tidy(() =>
    tf.cast(tf.oneHot(tf.tensor1d(Int32Array.from(data.labels.subarray(0, count)), 'int32'), 10), 'float32'),
  );
  const net = lenet5(1, ops);
  const optimizer = sgdMomentum(0.01, 0.9);
  let epoch = 0;
  return {
    params: net.variables.reduce((total, v) => total + v.size, 0),
    run: async () => {
      const order = Int32Array.from(shuffledIndices(count, 1000 + epoch++));
      for (let start = 0; start < count; start += batch) {
        const index = tf.tensor1d(order.subarray(start, start + batch), 'int32');
        const x = tf.gather(images, index) as tf.Tensor4D;
        const y = tf.gather(labels, index) as tf.Tensor2D;
        await trainStepAsync(net, optimizer, x, y);
        tf.dispose([index, x, y]);
      }
    },
    dispose: () => {
      optimizer.dispose();
      net.dispose();
      tf.dispose([images, labels]);
    },
  };
}
