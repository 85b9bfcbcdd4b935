import { convParams, denseParams } from '@convkit/shape';
import { describe, expect, it } from 'vitest';
import {
  fullyConnectedExamples,
  modelTable,
  outputSizeCases,
  shrinkingStack,
  sparseInteractions,
  variableInputSizes,
  volumeExample,
} from './lecture.js';

// The shared numbers (worked convolution, output sizes, VGG and GoogLeNet tables) are tested in @convkit/zoo/lecture.
describe('the course pages', () => {
  it('re-export the shared lecture module', () => {
    expect(outputSizeCases().find((c) => c.label.startsWith('AlexNet conv1: 227'))?.size).toBe(55);
    expect(modelTable('vgg16').totals.params).toBe('138,357,544');
  });

  it('give a filter the depth of its input', () => {
    const v = volumeExample();
    expect(v.output).toBe('28×28×6');
    expect(v.perFilter).toBe(5 * 5 * 3 + 1);
    expect(v.params).toBe(6 * (5 * 5 * 3 + 1));
  });

  it('shrink by K − 1 per valid 5×5 convolution and keep the size with padding 2', () => {
    const { valid, same } = shrinkingStack(6);
    expect(valid).toEqual(['28×28', '24×24', '20×20', '16×16', '12×12', '8×8']);
    expect(same).toEqual(Array(6).fill('32×32'));
  });

  it('count the fully connected layers', () => {
    const fc = fullyConnectedExamples();
    expect(fc.flatten).toBe(400);
    expect(fc.lenetDense).toBe(400 * 120 + 120);
    expect(fc.fc6).toBe('102,764,544'); // 25,088 · 4,096 + 4,096
    expect(fc.vggTotal).toBe('138,357,544');
    expect(fc.alexTotal).toBe('60,965,224');
  });

  it('apply the same weights to any input and read a small window', () => {
    expect(variableInputSizes().map((v) => v.output)).toEqual(['12×12×16', '14×14×16', '30×30×16', '111×111×16']);
    expect(new Set(variableInputSizes().map((v) => v.params))).toEqual(new Set(['1,216']));
    const s = sparseInteractions();
    expect(s.convParams).toBe(String(convParams({ inChannels: 3, filters: 6, kernel: 5 })));
    expect(s.denseParams).toBe(denseParams({ inFeatures: 3072, units: 6144 }).toLocaleString('en-US'));
  });
});
