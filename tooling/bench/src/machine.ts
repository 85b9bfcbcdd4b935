import os from 'node:os';

/** The machine a run happened on, as the results file records it. */
export interface Machine {
  date: string;
  cpu: string;
  cores: number;
  memoryGiB: number;
  os: string;
  node: string;
  /** One-minute load average when the run started: above a few tenths, other work shared the cores. */
  loadAverage: number;
}

export function describeMachine(now = new Date()): Machine {
  const cpus = os.cpus();
  return {
    date: now.toISOString().replace(/\.\d+Z$/, 'Z'),
    cpu: cpus[0]?.model.trim() ?? 'unknown CPU',
    cores: cpus.length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    loadAverage: loadNow(),
  };
}

/** The one-minute load average now, to two decimals. */
export function loadNow(): number {
  return Math.round((os.loadavg()[0] ?? 0) * 100) / 100;
}
