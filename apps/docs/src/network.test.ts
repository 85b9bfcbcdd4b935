import { describe, expect, it } from 'vitest';
import { analyzeNetwork, formatSource, layerLines, NETWORK_DEFAULTS, networkSchema, sourceOfModel } from './network.js';
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

  it('loads every zoo model', () => {
    for (const name of ['lenet5', 'lenet5-modern', 'alexnet', 'zfnet', 'nin', 'inception-v2', 'inception-v3']) {
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
    const bad = `#state=${Buffer.from(JSON.stringify({ model: 'resnet50' })).toString('base64url')}`;
    expect(readState(bad, networkSchema(), NETWORK_DEFAULTS)?.ok).toBe(false);
  });
});
