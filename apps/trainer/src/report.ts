import { join } from 'node:path';
import { writeFileAtomic } from '@convkit/io/node';
import { type Layer, summary } from '@convkit/layers';
import { architectureSvg } from '@convkit/viz';
import { confusionMatrixSvg, trainingCurves } from '@convkit/viz/charts';
import {
  equivarianceSection,
  escapeHtml,
  filtersSection,
  mapsSection,
  misclassifiedSection,
  occlusionSection,
  picture,
  readJson,
  STYLE,
  zeilerFergusSection,
} from './report-sections.js';
import { readMetrics, readRunConfig } from './run-folder.js';
import { type RunTiming, totalLine } from './timing.js';

function table(rows: [string, string][]): string {
  return `<table>${rows.map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join('')}</table>`;
}

const pct = (x: unknown) => (typeof x === 'number' ? `${(100 * x).toFixed(2)} %` : '—');

/**
 * Writes `report.html` into a run folder from what the folder holds: the
 * configuration, the training curves (from metrics.jsonl), the test
 * evaluation and confusion matrix, the misclassified gallery, the first
 * layer's filters (large, with a colour scale) and their evolution, feature
 * maps, the Zeiler–Fergus grids, occlusion maps and equivariance (drawn by
 * `drawReportPictures` at the end of training, or by `convkit viz`), the
 * layer table and the environment. One file, no scripts, no network: it
 * opens offline, and nothing in it is wider than its 1100-px column.
 */
export async function writeReport(dir: string, { model }: { model?: Layer } = {}): Promise<string> {
  const config = readRunConfig(dir);
  const metrics = readMetrics(dir);
  const evaluation = readJson(dir, 'evaluation.json');
  const env = readJson(dir, 'environment.json') ?? {};
  const timing = readJson(dir, 'timing.json') as RunTiming | undefined;
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
${STYLE}
</style></head><body>
<h1>${escapeHtml(config.model)} on ${escapeHtml(config.data)}</h1>
${
  evaluation
    ? `<p class="big">Test: top-1 error <b>${pct(evaluation.top1Error)}</b> (accuracy ${pct(1 - (evaluation.top1Error as number))}), top-5 error ${pct(evaluation.top5Error)}, loss ${(evaluation.loss as number).toFixed(4)} on ${evaluation.examples} images.</p>`
    : '<p class="big">Not evaluated on the test set yet.</p>'
}
${timing ? `<p>Time: ${escapeHtml(totalLine(timing))}.</p>` : ''}
<h2>Training</h2>${curves}
${
  metrics.length > 0
    ? `<div class="scroll"><table><tr><th>epoch</th><th>lr</th><th>train loss</th><th>train error</th><th>val loss</th><th>val error</th><th>val top-5</th><th>seconds</th><th>img/s</th></tr>${metrics
        .map(
          (r) =>
            `<tr><td>${(r.epoch ?? 0) + 1}</td><td>${r.lr?.toPrecision(3)}</td><td>${r.trainLoss?.toFixed(4)}</td><td>${pct(r.trainTop1Error)}</td><td>${r.validationLoss?.toFixed(4) ?? '—'}</td><td>${pct(r.validationTop1Error)}</td><td>${pct(r.validationTop5Error)}</td><td>${r.seconds?.toFixed(1)}</td><td>${Math.round(r.examplesPerSecond ?? 0)}</td></tr>`,
        )
        .join('')}</table></div>`
    : ''
}
${confusion ? `<h2>Confusion matrix</h2>${confusion}` : ''}
${
  evaluation && Array.isArray(evaluation.perClassAccuracy)
    ? `<h2>Per-class accuracy</h2>${table((evaluation.classNames as string[]).map((name, i) => [name, pct((evaluation.perClassAccuracy as number[])[i])]))}`
    : ''
}
${misclassifiedSection(dir)}
${filtersSection(dir)}
${mapsSection(dir)}
${zeilerFergusSection(dir)}
${picture(dir, 'patches.png', 'image patches that excite chosen units most (convkit viz patches)')}
${occlusionSection(dir)}
${equivarianceSection(dir)}
${layers ? `<h2>Architecture</h2>${architectureSvg(layers, { title: config.model })}<pre>${escapeHtml(layers.text)}</pre>` : ''}
<h2>Configuration</h2><pre>${escapeHtml(JSON.stringify(config, null, 2))}</pre>
<h2>Environment</h2>${table(Object.entries(env).map(([k, v]) => [k, String(v)]))}
</body></html>
`;
  const path = join(dir, 'report.html');
  await writeFileAtomic(path, html);
  return path;
}
