import type { Reporter, TestModule } from 'vitest/node';

/**
 * Prints one closing line, `Tests: N passed, N failed, N skipped`, after the
 * default reporter's output, so CI (and a person scrolling) can read the
 * outcome of the whole workspace run from its last line.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') failed++;
        else skipped++;
      }
      // A file that failed to load has no tests but is a failure.
      if (module.state() === 'failed' && !module.children.size) failed++;
    }
    process.stdout.write(`\nTests: ${passed} passed, ${failed} failed, ${skipped} skipped\n`);
  }
}
