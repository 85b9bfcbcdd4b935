import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeInitializers, decodeTensor, type OnnxTensor } from './tensor.js';

/** The folders of the ONNX test data. */
export type Suite = 'onnx-node' | 'onnx-pytorch-converted' | 'onnx-pytorch-operator';

export interface ManifestNode {
  op: string;
  attrs: Record<string, unknown>;
  inputs: string[];
  outputs: string[];
}

export interface ManifestValue {
  name: string;
  dtype: string;
  shape: number[];
}

export interface ManifestTest {
  test: string;
  opset: number;
  nodes: ManifestNode[];
  inputs: ManifestValue[];
  initializers: ManifestValue[];
  outputs: ManifestValue[];
  files: string[];
  independent_check: 'PASS' | null;
}

/**
 * Where the shared test data lives: `$CONVKIT_TESTDATA`, else `shared/testdata`
 * beside the repository (where the workplace and CI put it).
 */
export function testdataDir(): string {
  const fromEnv = process.env.CONVKIT_TESTDATA;
  if (fromEnv) return resolve(fromEnv);
  return fileURLToPath(new URL('../../../../shared/testdata', import.meta.url));
}

/**
 * Whether the test data is present, for `describe.skipIf(!hasTestdata())`.
 * In CI (`CI=true`) its absence is an error, so a suite never passes by
 * skipping there.
 */
export function hasTestdata(): boolean {
  const present = existsSync(join(testdataDir(), 'onnx-node', 'manifest.json'));
  if (!present && process.env.CI) {
    throw new Error(`ONNX test data not found at ${testdataDir()}: set CONVKIT_TESTDATA or provide ../shared/testdata`);
  }
  return present;
}

/** The tests of one suite, as its `manifest.json` lists them. */
export function loadManifest(suite: Suite): ManifestTest[] {
  const file = join(testdataDir(), suite, 'manifest.json');
  return (JSON.parse(readFileSync(file, 'utf8')) as { tests: ManifestTest[] }).tests;
}

/** Reads `test_data_set_0/<kind>_<index>.pb` of one test. */
export function readTestTensor(suite: Suite, test: string, kind: 'input' | 'output', index: number): OnnxTensor {
  return decodeTensor(readFileSync(join(testdataDir(), suite, test, 'test_data_set_0', `${kind}_${index}.pb`)));
}

/** The initializers (weights) of one test's `model.onnx`, by name. */
export function readInitializers(suite: Suite, test: string): Map<string, OnnxTensor> {
  return decodeInitializers(readFileSync(join(testdataDir(), suite, test, 'model.onnx')));
}
