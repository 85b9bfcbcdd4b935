import { cpus, totalmem } from 'node:os';
import type { BackendInfo } from '@convkit/backend';
import * as tf from '@tensorflow/tfjs-core';

/** What a run ran on, for the report and for comparing runs. */
export function environment(backend: BackendInfo) {
  return {
    backend: backend.name,
    kernels: backend.kernels,
    device: backend.device.description,
    threads: backend.threads,
    reason: backend.reason,
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    tfjs: tf.version_core,
    platform: `${process.platform} ${process.arch}`,
    started: new Date().toISOString(),
  };
}
