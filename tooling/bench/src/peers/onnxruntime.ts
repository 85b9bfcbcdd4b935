import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { npmInstallEnv } from './npm-env.js';
import { PEERS_DIR } from './paths.js';

/**
 * The onnxruntime-node release the bench installs: 1.30.0 installs and runs
 * on Node 20 here (FACTS.md). Its install script would fetch CUDA binaries;
 * ONNXRUNTIME_NODE_INSTALL=skip keeps the CPU build that ships in the package.
 */
export const ORT_VERSION = '1.30.0';

export type PeerStatus = { available: true; version: string; detail: string } | { available: false; reason: string };

/** The parts of onnxruntime-node's API the bench uses. */
export interface OrtTensor {
  readonly dims: readonly number[];
  readonly data: unknown;
}
export interface OrtSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>;
  release?(): Promise<void>;
}
export interface OrtModule {
  env: { versions?: { node?: string } };
  Tensor: new (type: 'float32', data: Float32Array, dims: readonly number[]) => OrtTensor;
  InferenceSession: {
    create(
      model: Uint8Array,
      options: {
        intraOpNumThreads: number;
        interOpNumThreads: number;
        executionMode: 'sequential';
        graphOptimizationLevel: 'all';
      },
    ): Promise<OrtSession>;
  };
}

function installedVersion(): string | undefined {
  const manifest = join(PEERS_DIR, 'node_modules', 'onnxruntime-node', 'package.json');
  if (!existsSync(manifest)) return undefined;
  return (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
}

/** Loads onnxruntime-node from the peers folder (throws when it is not installed). */
export function loadOrt(): OrtModule {
  return createRequire(join(PEERS_DIR, 'package.json'))('onnxruntime-node') as OrtModule;
}

/** Installs onnxruntime-node into `.peers/` with npm when it is not there yet. */
export function ensureOnnxRuntime(log: (line: string) => void): PeerStatus {
  let version = installedVersion();
  if (version !== ORT_VERSION) {
    log(`installing onnxruntime-node@${ORT_VERSION} into ${PEERS_DIR} (npm, once) …`);
    mkdirSync(PEERS_DIR, { recursive: true });
    const manifest = join(PEERS_DIR, 'package.json');
    // Its own package.json makes .peers/ the npm project root, so npm never walks up into the pnpm workspace.
    if (!existsSync(manifest)) writeFileSync(manifest, '{ "name": "convkit-bench-peers", "private": true }\n');
    const result = spawnSync(
      'npm',
      ['install', '--no-audit', '--no-fund', '--prefix', PEERS_DIR, `onnxruntime-node@${ORT_VERSION}`],
      {
        encoding: 'utf8',
        // The user's npm settings (CA file, registry, proxy) must reach npm: see npm-env.ts.
        env: { ...npmInstallEnv(process.env), ONNXRUNTIME_NODE_INSTALL: 'skip' },
        timeout: 300_000,
      },
    );
    version = installedVersion();
    if (result.status !== 0 || version === undefined) {
      const why = result.error?.message ?? (result.stderr || result.stdout).trim().split('\n').slice(-3).join(' ');
      return { available: false, reason: `npm install onnxruntime-node@${ORT_VERSION} failed: ${why}` };
    }
  }
  try {
    const ort = loadOrt();
    return { available: true, version, detail: `onnxruntime-node ${ort.env.versions?.node ?? version}` };
  } catch (error) {
    return { available: false, reason: `onnxruntime-node ${version} is installed but does not load: ${String(error)}` };
  }
}
