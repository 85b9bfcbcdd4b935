import type { Architecture } from './architectures.js';
import type { Configuration } from './configurations.js';
import type { TimingPolicy } from './policy.js';
import type { Workload } from './workloads.js';

/** What the orchestrator hands a child process (as one JSON argument). */
export interface Job {
  configuration: Configuration;
  workload: {
    id: Workload['id'];
    batch: number;
    mode: Workload['mode'];
    architecture: Architecture;
    /** `epoch` workloads: the dataset's IDX files (images, labels) and how many examples an epoch takes. */
    data?: { images: string; labels: string; examples: number };
  };
  policy: Pick<TimingPolicy, 'warmupRuns' | 'warmupMinMs' | 'minRuns' | 'sampleMinMs' | 'maxRuns' | 'budgetMs'>;
  threads: number;
  /** Expected parameter count (from `@convkit/shape`), checked by workers that build their own network. */
  params: number;
}

export function parseJobArgument(argv: readonly string[]): Job {
  const json = argv[2];
  if (json === undefined) throw new Error('a bench worker takes one argument: the job as JSON');
  return JSON.parse(json) as Job;
}
