/**
 * What Ctrl-C means during `convkit train`: while batches remain, stop after
 * the current one and write a checkpoint (`training` aborts); once the last
 * batch is done the checkpoints are whole, so skip the test evaluation and
 * the report (`finishing` aborts). A second Ctrl-C quits at once.
 */
export class Interrupts {
  readonly training = new AbortController();
  readonly finishing = new AbortController();
  private trained = false;

  constructor(
    private readonly log: (line: string) => void,
    private readonly dir: string,
  ) {}

  /** From now on no batch remains: the last epoch's batches are done, or training ended (completed, early stopping). */
  trainingDone(): void {
    this.trained = true;
  }

  /** Whether the user asked to stop (either way). */
  get stopped(): boolean {
    return this.training.signal.aborted || this.finishing.signal.aborted;
  }

  readonly onSigint = (): void => {
    if (this.stopped) process.exit(130);
    if (this.trained) {
      this.log(
        `\ninterrupt: training is complete; its checkpoint is written, the test evaluation and the report are skipped (later: convkit eval ${this.dir})`,
      );
      this.finishing.abort();
      return;
    }
    this.log('\ninterrupt: stopping after this batch and writing a checkpoint (Ctrl-C again to quit at once)');
    this.training.abort();
  };
}
