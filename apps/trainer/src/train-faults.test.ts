import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cli } from '../test/cli.js';
import { run } from './cli.js';
import { Interrupts } from './interrupts.js';
import { lockRun } from './run-folder.js';
import { smallestLimit } from './training-data.js';

afterEach(() => vi.restoreAllMocks());

const scratch = () => mkdtempSync(join(tmpdir(), 'convkit-faults-'));

/** A CIFAR-10 binary folder of 12 random images per file: it loads, but LeNet-5 on MNIST does not fit its 32×32×3 input. */
function tinyCifar(): string {
  const dir = scratch();
  const records = 12;
  const bytes = new Uint8Array(records * 3073);
  for (let k = 0; k < bytes.length; k++) bytes[k] = (k * 7919) % 251;
  for (let r = 0; r < records; r++) bytes[r * 3073] = r % 10;
  for (const name of ['data_batch_1', 'data_batch_2', 'data_batch_3', 'data_batch_4', 'data_batch_5', 'test_batch'])
    writeFileSync(join(dir, `${name}.bin`), bytes);
  return dir;
}

/** A config file holding `value`, in a fresh folder. */
function configFile(value: unknown): string {
  const path = join(scratch(), 'config.json');
  writeFileSync(path, JSON.stringify(value));
  return path;
}

describe('convkit train refuses a bad configuration before the run folder exists', () => {
  const fileCases: [string, unknown, RegExp][] = [
    ['a string of epochs', { epochs: 'abc' }, /"epochs" must be a positive integer, received "abc"/],
    ['a word for lr', { lr: 'fast' }, /"lr" must be a finite number > 0, received "fast"/],
    ['a negative batch size', { batchSize: -5 }, /"batchSize" must be a positive integer, received -5/],
    ['an optimizer given by name', { optimizer: 'adam' }, /"optimizer" must be a JSON object with a "type"/],
    ['an unknown optimizer type', { optimizer: { type: 'adamw' } }, /"optimizer" .*unknown.*adamw/i],
    ['a momentum out of range', { optimizer: { type: 'sgd', momentum: 1.5 } }, /momentum must be in \[0, 1\)/],
    ['a typo of batchSize', { batchsize: 7 }, /unknown key "batchsize"; did you mean batchSize\?/],
    ['a negative limit', { limit: -3 }, /"limit" must be a positive integer, received -3/],
    ['a negative seed', { seed: -1 }, /"seed" must be an integer in \[0, 4294967295\], received -1/],
    ['a fractional seed', { seed: 1.5 }, /"seed" must be an integer/],
    ['a schedule the rate cannot take', { schedule: { type: 'step', stepSize: 0 } }, /stepSize must be a positive/],
    [
      'a momentum written as a string',
      { optimizer: { type: 'sgd', momentum: '0.9' } },
      /momentum must be a finite number, received "0.9"/,
    ],
    [
      'a misspelt momentum',
      { optimizer: { type: 'sgd', momentun: 0.9 } },
      /no option "momentun" \(did you mean "momentum"\?\)/,
    ],
    [
      'a gamma that is no number',
      { schedule: { type: 'step', stepSize: 2, gamma: 'abc' } },
      /gamma must be a finite number/,
    ],
    [
      'a validation fraction that holds out nothing',
      { validationFraction: 0.000001 },
      /"validationFraction" 0.000001 of the 60000 training examples of mnist leaves none for validation/,
    ],
  ];
  for (const [what, value, message] of fileCases) {
    it(`${what}: exit 2, the file and key named, nothing written`, async () => {
      const file = configFile(value);
      const out = join(scratch(), 'run');
      const { code, err } = await cli('train', 'lenet5-modern', '--config', file, '--out', out, '--backend', 'cpu');
      expect(err).toMatch(message);
      expect(err).toContain(`--config ${file}`);
      expect(code).toBe(2);
      expect(existsSync(out)).toBe(false);
    });
  }

  const flagCases: [string[], RegExp][] = [
    [['--lr', '0'], /--lr must be a number > 0, received "0"/],
    [['--seed', '1.5'], /--seed must be an integer from 0 to 4294967295, received "1.5"/],
    [['--seed', '1e300'], /--seed must be an integer from 0 to 4294967295, received "1e300"/],
    [['--seed=-2'], /--seed must be an integer/],
    [
      ['--limit', '1'],
      /--limit 1 leaves no example for validation \(validationFraction 0\.083\d*\): use --limit 6 or more/,
    ],
  ];
  for (const [flags, message] of flagCases) {
    it(`${flags.join(' ')}: exit 2 before the run folder exists`, async () => {
      const out = join(scratch(), 'run');
      const { code, err } = await cli('train', 'lenet5-modern', ...flags, '--out', out, '--backend', 'cpu');
      expect(err).toMatch(message);
      expect(code).toBe(2);
      expect(existsSync(out)).toBe(false);
    });
  }

  it('the smallest --limit leaves one example on each side of the split', () => {
    expect(smallestLimit(1 / 12)).toBe(6); // round(6/12) = 1 held out, 5 trained
    expect(smallestLimit(0)).toBe(1);
    expect(smallestLimit(0.5)).toBe(2);
  });
});

describe('a failed resume leaves the run as it was', () => {
  it('NaN under a new --lr, or a data set that loads but does not fit the model: config.json and data.json byte-identical', {
    timeout: 400_000,
  }, async () => {
    const dir = join(scratch(), 'run');
    // The paper's recipe: a constant rate, so the resumed epoch runs at --lr (lenet5-fast's cosine over
    // the 1-epoch run would be at 0 there, and nothing would explode).
    const first = await cli(
      'train',
      'lenet5-modern',
      '--recipe',
      'lenet5',
      '--limit',
      '240',
      '--epochs',
      '1',
      '--batch',
      '60',
      '--backend',
      'cpu',
      '--out',
      dir,
    );
    expect(first.code, first.err).toBe(0);
    const saved = ['config.json', 'data.json'].map((name) => readFileSync(join(dir, name)));

    const exploded = await cli('train', '--resume', dir, '--epochs', '2', '--lr', '1e9', '--backend', 'cpu');
    expect(exploded.code).toBe(1);
    expect(exploded.err).toMatch(/the loss is (NaN|Infinity)/);
    const other = await cli(
      'train',
      '--resume',
      dir,
      '--epochs',
      '2',
      '--data',
      `cifar10:${tinyCifar()}`,
      '--backend',
      'cpu',
    );
    expect(other.err).toMatch(/does not fit|is \[/);
    expect(other.code).toBe(1);
    for (const [k, name] of ['config.json', 'data.json'].entries())
      expect(readFileSync(join(dir, name)).equals(saved[k] as Buffer), name).toBe(true);

    // And the plain resume still continues it, now writing the extended configuration.
    const resumed = await cli('train', '--resume', dir, '--epochs', '2', '--backend', 'cpu');
    expect(resumed.code, resumed.err).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')).epochs).toBe(2);
  });
});

describe('Ctrl-C after the last epoch', () => {
  it('exits 130 at once with the checkpoint written, skipping the test evaluation and the report', {
    timeout: 300_000,
  }, async () => {
    const dir = join(scratch(), 'run');
    const lines: string[] = [];
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    // The handler the command installs is what a real Ctrl-C reaches; emitting the signal calls it in-process.
    const code = await run(
      ['train', 'lenet5-modern', '--limit', '120', '--epochs', '1', '--batch', '60', '--backend', 'cpu', '--out', dir],
      (line) => {
        lines.push(line);
        if (line.startsWith('epoch 1/1')) process.emit('SIGINT', 'SIGINT');
      },
    );
    errors.mockRestore();
    expect(code).toBe(130);
    expect(lines.join('\n')).toMatch(
      /training is complete; its checkpoint is written, the test evaluation and the report are skipped/,
    );
    expect(lines.join('\n')).not.toMatch(/stopping after this batch/);
    expect(existsSync(join(dir, 'checkpoints', 'last.safetensors'))).toBe(true);
    expect(existsSync(join(dir, 'evaluation.json'))).toBe(false);
    expect(existsSync(join(dir, 'report.html'))).toBe(false);
  });
});

describe('resuming mid-epoch with another --batch', () => {
  it('is refused with exit 2, naming the batch size the run stopped with; nothing is rewritten', {
    timeout: 300_000,
  }, async () => {
    const dir = join(scratch(), 'run');
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    const stopped = await run(
      [
        'train',
        'lenet5-modern',
        '--limit',
        '240',
        '--epochs',
        '1',
        '--batch',
        '30',
        '--backend',
        'cpu',
        '--json',
        '--out',
        dir,
      ],
      (line) => {
        if (line.includes('"type":"batchEnd"')) process.emit('SIGINT', 'SIGINT');
      },
    );
    errors.mockRestore();
    expect(stopped).toBe(130);
    const config = readFileSync(join(dir, 'config.json'));
    const last = readFileSync(join(dir, 'checkpoints', 'last.safetensors'));

    const other = await cli('train', '--resume', dir, '--batch', '60', '--backend', 'cpu');
    expect(other.err).toMatch(
      /--batch 60: the run stopped in the middle of epoch 1 \(after 1 batches of 30\).*Resume without --batch \(or with --batch 30\)/,
    );
    expect(other.code).toBe(2);
    const reseeded = await cli('train', '--resume', dir, '--seed', '5', '--backend', 'cpu');
    expect(reseeded.err).toMatch(/--seed 5: the run stopped in the middle of epoch 1 .*changing seed from 0/);
    expect(reseeded.code).toBe(2);
    expect(readFileSync(join(dir, 'config.json')).equals(config)).toBe(true);
    expect(readFileSync(join(dir, 'checkpoints', 'last.safetensors')).equals(last)).toBe(true);
  });
});

describe('one training process per run folder', () => {
  it('a live process holding the lock refuses a second trainer; a dead one is taken over; release removes it', () => {
    const dir = scratch();
    const live = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
    try {
      writeFileSync(join(dir, '.train.lock'), `${live.pid}\n`);
      expect(() => lockRun(dir)).toThrow(new RegExp(`is being trained by process ${live.pid}`));
    } finally {
      live.kill();
    }
    const dead = spawnSync(process.execPath, ['-e', '0']).pid as number;
    writeFileSync(join(dir, '.train.lock'), `${dead}\n`);
    const release = lockRun(dir);
    expect(readFileSync(join(dir, '.train.lock'), 'utf8').trim()).toBe(String(process.pid));
    release();
    expect(existsSync(join(dir, '.train.lock'))).toBe(false);
  });
});

describe('Interrupts', () => {
  it('before the last batch, Ctrl-C stops training; once training is done (last batch, early stop), it skips the evaluation', () => {
    const lines: string[] = [];
    const during = new Interrupts((l) => void lines.push(l), 'runs/a');
    during.onSigint();
    expect([during.training.signal.aborted, during.finishing.signal.aborted]).toEqual([true, false]);
    const after = new Interrupts((l) => void lines.push(l), 'runs/a');
    after.trainingDone();
    after.onSigint();
    expect([after.training.signal.aborted, after.finishing.signal.aborted]).toEqual([false, true]);
    expect(lines[1]).toMatch(/training is complete; .*skipped \(later: convkit eval runs\/a\)/);
  });
});
