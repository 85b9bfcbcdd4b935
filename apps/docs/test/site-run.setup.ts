import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Names this test run, so test files in parallel workers can tell a build of this run from an older one. */
    siteRun: string;
  }
}

/** Global setup of the docs tests: only names the run; the site is built on demand (site-build.ts). */
export default function setup(project: TestProject): void {
  project.provide('siteRun', `${process.pid}-${Date.now()}`);
}
