import { modelNames } from '@convkit/zoo';
import { describe, expect, it } from 'vitest';
import {
  analyzeNetwork,
  formatSource,
  layerLines,
  MAX_LAYERS,
  MAX_NESTING,
  MAX_SOURCE_LENGTH,
  NETWORK_DEFAULTS,
  networkSchema,
  sourceOfModel,
} from './network.js';
import { readState } from './state.js';

const lenet = {
  input: [28, 28, 1],
  layers: [
    { type: 'conv2d', config: { filters: 6, kernel: 5, padding: 'same', activation: 'relu' } },
    { type: 'maxPool2d', config: { kernel: 2 } },
    { type: 'flatten', config: {} },
    { type: 'dense', config: { units: 10 } },
  ],
};

describe('network editor', () => {
  it("summarizes a zoo model's JSON: VGG-16 has 138,357,544 parameters", () => {
    const analysis = analyzeNetwork(sourceOfModel('vgg16'));
    expect(analysis.ok).toBe(true);
    if (!analysis.ok) return;
    expect(analysis.totals.params).toBe('138,357,544');
    expect(analysis.totals.output).toBe('1000');
    expect(analysis.svg).toMatch(/^<svg/);
    expect(analysis.rows[0]).toMatchObject({ layer: 0, name: 'conv1_1', output: '224×224×64' });
  });

  it('opens nested modules and keeps them with their top-level layer', () => {
    const analysis = analyzeNetwork(sourceOfModel('googlenet'));
    expect(analysis.ok && analysis.totals.params).toBe('6,998,552');
    if (!analysis.ok) return;
    const module = analysis.rows.find((r) => r.name === 'inception_3a');
    const inner = analysis.rows.filter((r) => r.depth > 0 && r.layer === module?.layer);
    expect(inner.length).toBeGreaterThan(5);
  });

  it('loads every zoo model (within the caps, every option known)', () => {
    for (const name of modelNames()) {
      expect(analyzeNetwork(sourceOfModel(name)).ok, name).toBe(true);
    }
  });

  it('names the layer and the line of a geometry error', () => {
    const bad = structuredClone(lenet);
    (bad.layers[1] as { config: Record<string, unknown> }).config = { kernel: 40 };
    const text = formatSource(bad as never);
    const analysis = analyzeNetwork(text);
    expect(analysis).toMatchObject({ ok: false, stage: 'layer', layer: 1, line: 5 });
    expect(!analysis.ok && analysis.message).toMatch(
      /^ShapeError: maxPool2d1: kernel 40, more than the padded input 28/,
    );
  });

  it('names the layer of a bad option', () => {
    const bad = structuredClone(lenet);
    (bad.layers[0] as { config: Record<string, unknown> }).config.activation = 'swishy';
    const analysis = analyzeNetwork(JSON.stringify(bad, null, 2));
    expect(analysis).toMatchObject({ ok: false, stage: 'layer', layer: 0 });
    expect(!analysis.ok && analysis.message).toMatch(/swishy/);
  });

  it('points at a dense layer before flatten', () => {
    const bad = { ...lenet, layers: [lenet.layers[0], lenet.layers[3]] };
    const analysis = analyzeNetwork(JSON.stringify(bad));
    expect(analysis).toMatchObject({ ok: false, layer: 1, line: 1 });
    expect(!analysis.ok && analysis.message).toMatch(/add \{ type: 'flatten' \} before it/);
  });

  it('names an unknown layer type', () => {
    const bad = { ...lenet, layers: [...lenet.layers, { type: 'transformer', config: {} }] };
    const analysis = analyzeNetwork(formatSource(bad as never));
    expect(analysis).toMatchObject({ ok: false, layer: 4, line: 8 });
    expect(!analysis.ok && analysis.message).toMatch(/unknown layer type "transformer"/);
  });

  it('gives the line of a JSON syntax error', () => {
    const text = formatSource(lenet as never).replace('"maxPool2d"', 'maxPool2d');
    expect(analyzeNetwork(text)).toMatchObject({ ok: false, stage: 'json', line: 5 });
  });

  it('checks the structure before building anything', () => {
    expect(analyzeNetwork('[]')).toMatchObject({ ok: false, stage: 'structure' });
    expect(analyzeNetwork('{"input": [0, 28, 1], "layers": []}')).toMatchObject({
      ok: false,
      message: expect.stringMatching(/"input" must be/),
    });
    expect(analyzeNetwork('{"input": [28, 28, 1], "layers": [{"config": {}}]}')).toMatchObject({
      ok: false,
      layer: 0,
      message: 'layer 0 has no "type"',
    });
    expect(analyzeNetwork('{"input": [28, 28, 1], "layers": [], "extra": 1}')).toMatchObject({ ok: false });
  });

  it('caps the nesting depth with a message naming the layer, its line and the limit', () => {
    // The shape of the link that froze the tab: sequentials nested 23 deep.
    let deep: object = { type: 'conv2d', config: { filters: 2, kernel: 1 } };
    for (let d = 1; d < 23; d++) deep = { type: 'sequential', config: { layers: [deep] } };
    const text = formatSource({ input: [8, 8, 1], layers: [lenet.layers[0], deep] } as never);
    const analysis = analyzeNetwork(text);
    expect(analysis).toMatchObject({ ok: false, stage: 'structure', layer: 1, line: 5 });
    expect(!analysis.ok && analysis.message).toBe(
      `layer 1 (sequential) nests layers 23 deep, more than the playground's ${MAX_NESTING}: flatten some containers into their parent`,
    );
  });

  it('refuses a link nested as deep as the text allows without overflowing the stack', () => {
    const open = '{"type":"sequential","config":{"layers":[';
    const depth = Math.floor((MAX_SOURCE_LENGTH - 100) / (open.length + 3));
    const text = `{"input":[8,8,1],"layers":[${open.repeat(depth)}{"type":"flatten"}${']}}'.repeat(depth)}]}`;
    expect(analyzeNetwork(text)).toMatchObject({
      ok: false,
      stage: 'structure',
      message: expect.stringMatching(new RegExp(`nests layers ${depth + 1} deep`)),
    });
    const deepOption = `{"input":[8],"layers":[{"type":"flatten","config":{"a":${'['.repeat(20_000)}${']'.repeat(20_000)}}}]}`;
    expect(analyzeNetwork(deepOption)).toMatchObject({ ok: false, stage: 'layer', layer: 0 });
  });

  it('accepts nesting up to the cap', () => {
    let deep: object = { type: 'conv2d', config: { filters: 2, kernel: 1 } };
    for (let d = 1; d < MAX_NESTING; d++) deep = { type: 'sequential', config: { layers: [deep] } };
    expect(analyzeNetwork(JSON.stringify({ input: [8, 8, 1], layers: [deep] })).ok).toBe(true);
  });

  it('caps the total number of layers, nested ones included', () => {
    const block = { type: 'sequential', config: { layers: new Array(300).fill({ type: 'flatten' }) } };
    const text = JSON.stringify({ input: [8], layers: new Array(7).fill(block) });
    const analysis = analyzeNetwork(text);
    expect(analysis).toMatchObject({ ok: false, stage: 'structure' });
    expect(!analysis.ok && analysis.message).toBe(
      `more than the playground's ${MAX_LAYERS.toLocaleString('en-US')} layers (nested ones included): this network has at least ${(MAX_LAYERS + 1).toLocaleString('en-US')}`,
    );
  });

  it("shows the library's error for a mistyped option, with the close name, the layer and its line", () => {
    const bad = structuredClone(lenet);
    (bad.layers[1] as { config: Record<string, unknown> }).config = { kernel: 2, stides: 2 };
    const analysis = analyzeNetwork(formatSource(bad as never));
    expect(analysis).toMatchObject({ ok: false, stage: 'layer', layer: 1, line: 5 });
    expect(!analysis.ok && analysis.message).toMatch(
      /^ConfigError: maxPool2d: unknown option "stides" \(did you mean "stride"\?\)/,
    );
  });

  it('finds where each layer starts, whatever the layout', () => {
    expect(layerLines('{"input":[1],"layers":[{"type":"a"},\n{"type":"b"},\n\n  {"type":"c"}]}')).toEqual([1, 2, 4]);
    expect(layerLines('{"layers": ["[", {"type": "x\\"]"}],\n"input": [1]}')).toEqual([1, 1]);
    expect(layerLines(formatSource(lenet as never))).toEqual([4, 5, 6, 7]);
  });

  it('shares a model by name and rejects unknown ones', () => {
    const hash = `#state=${Buffer.from(JSON.stringify({ model: 'vgg16' })).toString('base64url')}`;
    expect(readState(hash, networkSchema(), NETWORK_DEFAULTS)).toEqual({
      ok: true,
      value: { model: 'vgg16', source: '' },
    });
    const bad = `#state=${Buffer.from(JSON.stringify({ model: 'wide-resnet50' })).toString('base64url')}`;
    expect(readState(bad, networkSchema(), NETWORK_DEFAULTS)?.ok).toBe(false);
  });
});
