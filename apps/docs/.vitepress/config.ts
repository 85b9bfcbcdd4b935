import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitepress';
import { API_PACKAGES, API_SUBPATHS } from '../scripts/prepare.mjs';
import { ISOLATION_HEADERS } from '../scripts/serve.mjs';

/**
 * The export condition under which workspace packages point at their
 * TypeScript source (see tooling/vitest): the site builds from source, with
 * no prebuild of the libraries.
 */
const SOURCE_CONDITION = '@convkit/source';

const guide = [
  { text: 'Overview', link: '/guide/' },
  { text: 'Convolution', link: '/guide/convolution' },
  { text: 'Stride and output size', link: '/guide/stride' },
  { text: 'Zero padding', link: '/guide/padding' },
  { text: 'Filters and volumes', link: '/guide/volumes' },
  { text: 'Counting parameters', link: '/guide/parameters' },
  { text: 'Non-linearity', link: '/guide/nonlinearity' },
  { text: 'Pooling', link: '/guide/pooling' },
  { text: 'Fully connected layers', link: '/guide/fully-connected' },
  { text: 'Why CNNs work', link: '/guide/why-cnns-work' },
  { text: 'Convolution vs cross-correlation', link: '/guide/cross-correlation' },
  { text: 'Training recipes', link: '/guide/training-recipes' },
  { text: 'What the filters learn', link: '/guide/filters' },
];

const architectures = [
  { text: 'LeNet-5', link: '/architectures/lenet' },
  { text: 'AlexNet', link: '/architectures/alexnet' },
  { text: 'ZFNet', link: '/architectures/zfnet' },
  { text: 'VGG', link: '/architectures/vgg' },
  { text: 'Network in Network', link: '/architectures/nin' },
  { text: 'GoogLeNet', link: '/architectures/googlenet' },
  { text: 'Inception v2 and v3', link: '/architectures/inception' },
  { text: 'ResNet', link: '/architectures/resnet' },
  { text: 'Efficient networks', link: '/architectures/efficient' },
];

const playground = [
  { text: 'Overview', link: '/playground/' },
  { text: 'Shape calculator', link: '/playground/shape' },
  { text: 'Network editor', link: '/playground/network' },
  { text: 'Train in the browser', link: '/playground/train' },
  { text: 'Draw a digit', link: '/playground/draw' },
  { text: 'Equivariance', link: '/playground/equivariance' },
];

// The packages' pages follow the API reference's list and order.
const packages = API_PACKAGES.map((name) => ({
  text: `@convkit/${name}`,
  link: `/packages/${name}`,
}));

export default defineConfig({
  title: 'convkit',
  description: 'Convolutional networks in TypeScript, taught with numbers the library computes in your browser',
  srcDir: 'pages',
  outDir: 'dist',
  cleanUrls: true,
  lastUpdated: false,
  // A dead link fails the build, the generated API reference included (test/site-links.test.ts checks anchors too).
  ignoreDeadLinks: false,
  head: [['link', { rel: 'icon', href: '/favicon.svg', type: 'image/svg+xml' }]],
  themeConfig: {
    nav: [
      { text: 'Course', link: '/guide/' },
      { text: 'Architectures', link: '/architectures/lenet' },
      { text: 'Playground', link: '/playground/' },
      { text: 'Packages', link: '/packages/' },
      { text: 'API', link: '/api/' },
    ],
    sidebar: {
      '/guide/': [
        { text: 'The course', items: guide },
        { text: 'Architectures', items: architectures },
      ],
      '/architectures/': [
        { text: 'The course', items: guide },
        { text: 'Architectures', items: architectures },
      ],
      '/playground/': [{ text: 'Playground', items: playground }],
      '/packages/': [
        { text: 'Getting started', items: [{ text: 'Overview', link: '/packages/' }, ...packages] },
        { text: 'Extending convkit', items: [{ text: 'Write your own layer', link: '/packages/write-a-layer' }] },
      ],
      '/api/': [
        {
          text: 'API reference',
          items: [
            { text: 'Index', link: '/api/' },
            // Each package, then its subpath entries that have API of their own (`@convkit/zoo/lecture`).
            ...packages.flatMap((p) => [
              { text: p.text, link: `/api/@convkit/${p.text.slice(9)}` },
              ...API_SUBPATHS.filter((s) => s.startsWith(`${p.text.slice(9)}/`)).map((s) => ({
                text: `@convkit/${s}`,
                link: `/api/@convkit/${s}`,
              })),
            ]),
          ],
        },
      ],
    },
    search: { provider: 'local' },
    outline: [2, 3],
  },
  vite: {
    resolve: {
      conditions: [SOURCE_CONDITION],
      alias: [
        // The page runs in a browser: @convkit/data's browser-safe entry (train imports the main one).
        { find: /^@convkit\/data$/, replacement: '@convkit/data/browser' },
        // @convkit/backend loads Dawn only in Node; the browser has navigator.gpu.
        { find: /^webgpu$/, replacement: fileURLToPath(new URL('../src/stubs/webgpu.ts', import.meta.url)) },
        { find: /^@docs\//, replacement: `${fileURLToPath(new URL('../src/', import.meta.url))}` },
      ],
    },
    ssr: { resolve: { conditions: [SOURCE_CONDITION] } },
    // Cross-origin isolated, so the wasm backend gets SharedArrayBuffer and runs on threads. `vitepress preview`
    // ignores preview.headers: `pnpm preview` serves with scripts/serve.mjs, and the build ships public/_headers.
    server: { headers: { ...ISOLATION_HEADERS } },
    preview: { headers: { ...ISOLATION_HEADERS } },
    // tfjs and its backends are large by nature; gzip-size reports of every chunk only slow the build.
    build: { chunkSizeWarningLimit: 8192, reportCompressedSize: false },
  },
});
