import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '@convkit/io/node';
import { type Layer, summary } from '@convkit/layers';
import { architectureSvg } from '@convkit/viz';
import { confusionMatrixSvg, trainingCurves } from '@convkit/viz/charts';
import { readMetrics, readRunConfig, readRunJson } from './run-folder.js';

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function readJson(dir: string, name: string): Record<string, unknown> | undefined {
  const path = join(dir, name);
  return existsSync(path) ? (readRunJson(path) as Record<string, unknown>) : undefined;
}

/** A picture of the run folder inlined as a data URI, so the report is one self-contained file. */
function picture(dir: string, name: string, alt: string): string {
  const path = join(dir, name);
  if (!existsSync(path)) return '';
  const type = name.endsWith('.gif') ? 'image/gif' : 'image/png';
  const data = readFileSync(path).toString('base64');
  return `<figure><img alt="${escapeHtml(alt)}" src="data:${type};base64,${data}"><figcaption>${escapeHtml(alt)}</figcaption></figure>`;
}

function table(rows: [string, string][]): string {
  return `<table>${rows.map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join('')}</table>`;
}

const pct = (x: unknown) => (typeof x === 'number' ? `${(100 * x).toFixed(2)} %` : '—');

/**
 * Writes `report.html` into a run folder from what the folder holds: the
 * configuration, the training curves (from metrics.jsonl), the test
 * evaluation and confusion matrix, the first layer's filters and their
 * evolution, top patches when `convkit viz` made them, the layer table and
 * the environment. One file, no scripts, no network: it opens offline.
 */
export async function writeReport(dir: string, { model }: { model?: Layer } = {}): Promise<string> {
  const config = readRunConfig(dir);
  const metrics = readMetrics(dir);
  const evaluation = readJson(dir, 'evaluation.json');
  const env = readJson(dir, 'environment.json') ?? {};
  const input = model?.inputShape;
  const curves =
    metrics.length > 0
      ? // metrics.jsonl holds fit's EpochRecords, which trainingCurves takes as they are (0-based epochs, shown from 1).
        trainingCurves(metrics, { title: 'Training curves' })
      : '<p>No epoch finished yet.</p>';
  const confusion =
    evaluation && Array.isArray(evaluation.confusion)
      ? confusionMatrixSvg(evaluation.confusion as number[][], evaluation.classNames as string[], {
          title: 'Confusion matrix (test)',
        })
      : '';
  const layers = model && input ? summary(model, { input, batch: config.batchSize }) : undefined;
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>convkit run: ${escapeHtml(config.model)} on ${escapeHtml(config.data)}</title>
<style>
body{font:15px/1.5 system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
h1{font-size:1.6em}h2{margin-top:2em;border-bottom:1px solid #ddd}
table{border-collapse:collapse}th,td{text-align:left;padding:2px 12px 2px 0;vertical-align:top}
pre{background:#f6f6f6;padding:1em;overflow:auto;font-size:12px}figure{display:inline-block;margin:0 1em 1em 0}
img{image-rendering:pixelated;max-width:100%}.big{font-size:1.3em}
</style></head><body>
<h1>${escapeHtml(config.model)} on ${escapeHtml(config.data)}</h1>
${
  evaluation
    ? `<p class="big">Test: top-1 error <b>${pct(evaluation.top1Error)}</b> (accuracy ${pct(1 - (evaluation.top1Error as number))}), top-5 error ${pct(evaluation.top5Error)}, loss ${(evaluation.loss as number).toFixed(4)} on ${evaluation.examples} images.</p>`
    : '<p class="big">Not evaluated on the test set yet.</p>'
}
<h2>Training</h2>${curves}
${
  metrics.length > 0
    ? `<table><tr><th>epoch</th><th>lr</th><th>train loss</th><th>train error</th><th>val loss</th><th>val error</th><th>val top-5</th><th>seconds</th><th>img/s</th></tr>${metrics
        .map(
          (r) =>
            `<tr><td>${(r.epoch ?? 0) + 1}</td><td>${r.lr?.toPrecision(3)}</td><td>${r.trainLoss?.toFixed(4)}</td><td>${pct(r.trainTop1Error)}</td><td>${r.validationLoss?.toFixed(4) ?? '—'}</td><td>${pct(r.validationTop1Error)}</td><td>${pct(r.validationTop5Error)}</td><td>${r.seconds?.toFixed(1)}</td><td>${Math.round(r.examplesPerSecond ?? 0)}</td></tr>`,
        )
        .join('')}</table>`
    : ''
}
${confusion ? `<h2>Confusion matrix</h2>${confusion}` : ''}
${
  evaluation && Array.isArray(evaluation.perClassAccuracy)
    ? `<h2>Per-class accuracy</h2>${table((evaluation.classNames as string[]).map((name, i) => [name, pct((evaluation.perClassAccuracy as number[])[i])]))}`
    : ''
}
<h2>What the first layer learned</h2>
${picture(dir, 'filters.png', 'first-layer filters after training')}
${picture(dir, 'filters-evolution.png', 'first-layer filters: initialization, then after each epoch (one row per snapshot)')}
${picture(dir, 'filters-evolution.gif', 'the same, animated')}
${picture(dir, 'patches.png', 'image patches that excite chosen units most (convkit viz patches)')}
${picture(dir, 'maps.png', 'feature maps of one image (convkit viz maps)')}
${picture(dir, 'equivariance.png', 'equivariance: an input, the input shifted by 2 pixels, their feature maps and the difference (convkit viz equivariance)')}
${layers ? `<h2>Architecture</h2>${architectureSvg(layers, { title: config.model })}<pre>${escapeHtml(layers.text)}</pre>` : ''}
<h2>Configuration</h2><pre>${escapeHtml(JSON.stringify(config, null, 2))}</pre>
<h2>Environment</h2>${table(Object.entries(env).map(([k, v]) => [k, String(v)]))}
</body></html>
`;
  const path = join(dir, 'report.html');
  await writeFileAtomic(path, html);
  return path;
}
