import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { colorbar, encodePng } from '@convkit/viz';
import { readRunJson } from './run-folder.js';

export const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A run-folder JSON file, or undefined when the folder does not hold it. */
export function readJson(dir: string, name: string): Record<string, unknown> | undefined {
  const path = join(dir, name);
  return existsSync(path) ? (readRunJson(path) as Record<string, unknown>) : undefined;
}

const pngUri = (base64: string) => `data:image/png;base64,${base64}`;

/** A picture's caption from its sidecar (`name.json`, written beside `name.png`), else `fallback`. */
function caption(dir: string, name: string, fallback: string): string {
  // Only a PNG has a sidecar: the GIF beside filters-evolution.png is the same picture animated.
  const side = name.endsWith('.png') ? readJson(dir, `${name.slice(0, -'.png'.length)}.json`) : undefined;
  return typeof side?.caption === 'string' ? side.caption : fallback;
}

/** A picture of the run folder inlined as a data URI, so the report is one self-contained file. */
export function picture(dir: string, name: string, alt: string, extra = ''): string {
  const path = join(dir, name);
  if (!existsSync(path)) return '';
  const type = name.endsWith('.gif') ? 'image/gif' : 'image/png';
  const data = readFileSync(path).toString('base64');
  const text = caption(dir, name, alt);
  return `<figure><img alt="${escapeHtml(alt)}" src="data:${type};base64,${data}">${extra}<figcaption>${escapeHtml(text)}</figcaption></figure>`;
}

/** The pictures `prefix-*.png` of the folder (one per layer), in natural order (conv2 before conv10). */
function layerPictures(dir: string, prefix: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.startsWith(`${prefix}-`) && f.endsWith('.png'))
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
}

/** The diverging scale under the filters: blue −m, white 0, red +m, m the largest |weight|. */
function filterLegend(dir: string): string {
  const range = readJson(dir, 'filters.json')?.range;
  if (!Array.isArray(range)) return '';
  const m = Math.max(...range.map((v) => Math.abs(Number(v)))).toPrecision(3);
  const bar = Buffer.from(encodePng(colorbar('diverging', { width: 240, height: 14 }))).toString('base64');
  return `<div class="legend"><img alt="colour scale" src="${pngUri(bar)}"><div><span>−${m}</span><span>0</span><span>+${m}</span></div></div>`;
}

/** First-layer filters, large, with their colour scale, and their evolution over training. */
export function filtersSection(dir: string): string {
  const pictures = [
    picture(dir, 'filters.png', 'first-layer filters after training', filterLegend(dir)),
    picture(
      dir,
      'filters-evolution.png',
      'first-layer filters: initialization, then after each epoch (a row per snapshot)',
    ),
    picture(dir, 'filters-evolution.gif', 'the same, animated'),
  ].join('\n');
  return pictures.trim() ? `<h2>What the first layer learned</h2>\n${pictures}` : '';
}

/** The gallery: each mistake's image, true and predicted class with its probability, and the top 3. */
export function misclassifiedSection(dir: string): string {
  const gallery = readJson(dir, 'misclassified.json');
  if (!gallery || !Array.isArray(gallery.items)) return '';
  type Item = {
    image: string;
    label: string;
    predicted: string;
    confidence: number;
    top: { name: string; p: number }[];
  };
  const pct = (p: number) => `${(100 * p).toFixed(1)} %`;
  const cells = (gallery.items as Item[]).map(
    (m) =>
      `<figure class="mistake"><img alt="a test image of class ${escapeHtml(m.label)}" src="${pngUri(m.image)}">` +
      `<figcaption>true <b>${escapeHtml(m.label)}</b> → <b>${escapeHtml(m.predicted)}</b> ${pct(m.confidence)}<br><small>` +
      `${m.top.map((t) => `${escapeHtml(t.name)} ${pct(t.p)}`).join(' · ')}</small></figcaption></figure>`,
  );
  return `<h2>Misclassified examples</h2><p>${escapeHtml(String(gallery.caption))}</p><div class="gallery">${cells.join('')}</div>`;
}

/** Feature maps of a sample image, a picture per convolution (and `convkit viz maps`' picture, when made). */
export function mapsSection(dir: string): string {
  const pictures = [...layerPictures(dir, 'maps'), ...(existsSync(join(dir, 'maps.png')) ? ['maps.png'] : [])];
  if (pictures.length === 0) return '';
  return `<h2>Feature maps</h2>\n${pictures.map((f) => picture(dir, f, `feature maps (${f})`)).join('\n')}`;
}

/** The Zeiler–Fergus figures, one per convolution. */
export function zeilerFergusSection(dir: string): string {
  const pictures = layerPictures(dir, 'zf');
  if (pictures.length === 0) return '';
  return (
    '<h2>Zeiler–Fergus: what the units respond to</h2>\n<p>For units of each convolution, the 9 test images that excite them most: ' +
    'the deconvnet projection of the activation back to pixel space beside the image patch that caused it (Zeiler &amp; Fergus 2014, Fig. 2).</p>\n' +
    pictures.map((f) => picture(dir, f, `Zeiler–Fergus grid (${f})`)).join('\n')
  );
}

/** Occlusion maps: each image beside the probability of its class as a gray square moves over it. */
export function occlusionSection(dir: string): string {
  const occlusion = readJson(dir, 'occlusion.json');
  if (!occlusion || !Array.isArray(occlusion.items)) return '';
  type Item = { image: string; map: string; label: string; baseline: number; lowest: number };
  const cells = (occlusion.items as Item[]).map(
    (o) =>
      `<figure><img alt="a test image of class ${escapeHtml(o.label)}" src="${pngUri(o.image)}"> ` +
      `<img alt="its occlusion map" src="${pngUri(o.map)}"><figcaption>class ${escapeHtml(o.label)}: p = ${o.baseline.toFixed(3)} unoccluded, ` +
      `${o.lowest.toFixed(3)} at the worst place</figcaption></figure>`,
  );
  const bar = Buffer.from(encodePng(colorbar('viridis', { width: 240, height: 14 }))).toString('base64');
  const legend = `<div class="legend"><img alt="colour scale" src="${pngUri(bar)}"><div><span>0</span><span>0.5</span><span>1</span></div></div>`;
  return `<h2>Occlusion</h2><p>${escapeHtml(String(occlusion.caption))}</p>${legend}<div class="gallery">${cells.join('')}</div>`;
}

/** Shift equivariance and top patches, when drawn. */
export function equivarianceSection(dir: string): string {
  const shown = picture(
    dir,
    'equivariance.png',
    'equivariance: an input, the input shifted by 2 pixels, their feature maps and the difference',
  );
  return shown ? `<h2>Equivariance</h2>\n${shown}` : '';
}

/** The report's style: one column at most 1100 px wide; nothing in it is wider than the column. */
export const STYLE = `body{font:15px/1.5 system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
h1{font-size:1.6em}h2{margin-top:2em;border-bottom:1px solid #ddd}
table{border-collapse:collapse;max-width:100%}th,td{text-align:left;padding:2px 12px 2px 0;vertical-align:top}th{white-space:nowrap}td{overflow-wrap:anywhere}
.scroll{max-width:100%;overflow-x:auto}
pre{background:#f6f6f6;padding:1em;overflow:auto;font-size:12px;max-width:100%}
figure{display:inline-block;margin:0 1em 1em 0;max-width:100%;vertical-align:top}
img{image-rendering:pixelated;max-width:100%;height:auto}svg{max-width:100%;height:auto}
.big{font-size:1.3em}.gallery{display:flex;flex-wrap:wrap;gap:4px}.gallery figure{margin:0 1.5em 8px 0;max-width:240px}
.mistake{width:130px}.mistake img{width:84px}figcaption{font-size:13px;max-width:1100px}
.legend{display:inline-block;font-size:12px}.legend img{display:block;width:240px}
.legend div{display:flex;justify-content:space-between;width:240px}`;
