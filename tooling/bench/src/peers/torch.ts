import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { PeerStatus } from './onnxruntime.js';

/** Debian's interpreter: python3-torch installs for it, not for a venv or a pyenv python. */
export const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

function torchVersion(): string | undefined {
  const probe = spawnSync(PYTHON, ['-c', 'import torch; print(torch.__version__)'], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  return probe.status === 0 ? probe.stdout.trim() : undefined;
}

/**
 * Finds PyTorch for the system python; when it is missing and the bench runs
 * as root on Debian, installs `python3-torch` with apt (1.13.1 on bookworm).
 */
export function ensureTorch(log: (line: string) => void): PeerStatus {
  let version = torchVersion();
  if (version === undefined) {
    const root = process.getuid?.() === 0;
    if (!root || !existsSync('/usr/bin/apt-get')) {
      return {
        available: false,
        reason: `PyTorch is missing for ${PYTHON}: install it with \`apt-get install python3-torch\` (as root) and run the bench again`,
      };
    }
    log('PyTorch missing: apt-get install -y python3-torch …');
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const apt = (args: string[]) => spawnSync('apt-get', args, { encoding: 'utf8', env, timeout: 900_000 });
    let install = apt(['install', '-y', 'python3-torch']);
    if (install.status !== 0) {
      // A fresh container has no package lists yet.
      apt(['update']);
      install = apt(['install', '-y', 'python3-torch']);
    }
    version = torchVersion();
    if (version === undefined) {
      const why = (install.stderr || install.stdout || '').trim().split('\n').slice(-2).join(' ');
      return { available: false, reason: `apt-get install python3-torch failed: ${why}` };
    }
  }
  return { available: true, version, detail: `PyTorch ${version} CPU (${PYTHON})` };
}
