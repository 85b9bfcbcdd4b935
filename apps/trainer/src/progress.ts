import type { FitEvent } from '@convkit/train/node';
import { MultiBar, Presets } from 'cli-progress';
import { clockTime as seconds } from './timing.js';

/** How training progress is shown: bars on a terminal, a line per epoch otherwise, or JSON lines for machines. */
export type ProgressMode = 'bars' | 'lines' | 'json';

export function progressMode(json: boolean, stream: NodeJS.WriteStream = process.stderr): ProgressMode {
  if (json) return 'json';
  return stream.isTTY ? 'bars' : 'lines';
}

const percent = (x: number | undefined) => (x === undefined ? '—' : `${(100 * x).toFixed(2)} %`);

/** One line per finished epoch, as Keras prints in non-interactive mode. */
export function epochLine(event: Extract<FitEvent, { type: 'epochEnd' }>): string {
  const r = event.record;
  return [
    `epoch ${r.epoch + 1}/${event.epochs}`,
    `loss ${r.trainLoss.toFixed(4)}`,
    `train error ${percent(r.trainTop1Error)}`,
    ...(r.validationLoss !== undefined
      ? [`val loss ${r.validationLoss.toFixed(4)}`, `val error ${percent(r.validationTop1Error)}`]
      : []),
    `lr ${r.lr.toPrecision(3)}`,
    `${Math.round(r.examplesPerSecond)} img/s`,
    seconds(r.seconds),
  ].join('  ');
}

/** What draws a run's progress. */
export interface Progress {
  listener: (e: FitEvent) => void;
  /** A line between the epochs (on a terminal, above the bars); with `--json`, `event` as one more JSON line. */
  note(line: string, event: { type: string } & Record<string, unknown>): void;
  stop(): void;
}

/**
 * A listener for `fit` events that draws progress: two bars (epochs, and
 * batches of this epoch with loss, accuracy, lr, images/s and ETA) on a
 * terminal; epoch lines when piped; one JSON object per event with `--json`.
 */
export function progressListener(mode: ProgressMode, write: (line: string) => void): Progress {
  if (mode === 'json') {
    return {
      listener: (e) => {
        if (e.type !== 'batchEnd' || e.batch % 50 === 0 || e.batch === e.batches - 1) write(JSON.stringify(e));
      },
      note: (_line, event) => write(JSON.stringify(event)),
      stop() {},
    };
  }
  if (mode === 'lines') {
    return {
      note: (line) => write(line),
      listener: (e) => {
        if (e.type === 'trainStart')
          write(
            `training on ${e.examples} images, ${e.batchesPerEpoch} batches per epoch, backend ${e.backend}${e.epoch > 0 || e.batch > 0 ? `, resuming at epoch ${e.epoch + 1} batch ${e.batch + 1}` : ''}`,
          );
        if (e.type === 'epochEnd') write(epochLine(e));
        if (e.type === 'trainEnd' && e.reason !== 'completed')
          write(`stopped: ${e.reason === 'aborted' ? 'interrupted, checkpoint written' : 'early stopping'}`);
      },
      stop() {},
    };
  }
  const bars = new MultiBar(
    {
      clearOnComplete: false,
      hideCursor: true,
      format: ' {label} [{bar}] {value}/{total} {info}',
      barsize: 30,
      etaBuffer: 50,
    },
    Presets.shades_classic,
  );
  let epochBar: ReturnType<MultiBar['create']> | undefined;
  let batchBar: ReturnType<MultiBar['create']> | undefined;
  return {
    listener: (e) => {
      switch (e.type) {
        case 'trainStart':
          epochBar = bars.create(e.epochs, e.epoch, { label: 'epochs ', info: '' });
          batchBar = bars.create(e.batchesPerEpoch, e.batch, { label: 'batches', info: '' });
          break;
        case 'epochStart':
          batchBar?.setTotal(batchBar.getTotal());
          batchBar?.update(0, { info: `lr ${e.lr.toPrecision(3)}` });
          break;
        case 'batchEnd':
          batchBar?.update(e.batch + 1, {
            info: `loss ${e.loss.toFixed(4)}  acc ${percent(e.accuracy)}  lr ${e.lr.toPrecision(3)}  ${Math.round(e.examplesPerSecond)} img/s  ETA ${seconds(e.eta)}`,
          });
          break;
        case 'epochEnd':
          epochBar?.update(e.record.epoch + 1, { info: epochLine(e).split('  ').slice(1, 5).join('  ') });
          bars.log(`${epochLine(e)}\n`);
          break;
        default:
          break;
      }
    },
    note: (line) => bars.log(`${line}\n`),
    stop: () => bars.stop(),
  };
}
