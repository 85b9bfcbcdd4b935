import { describe, expect, it } from 'vitest';
import { formatGflops, formatMs, formatRatio, renderMarkdown, renderText, type Table } from './table.js';

const table: Table = {
  headers: ['configuration', 'median ms'],
  align: ['left', 'right'],
  rows: [
    ['convkit wasm', '56.8'],
    ['tfjs cpu (stock)', '1,540'],
  ],
};

describe('renderText', () => {
  it('pads columns to the widest cell and right-aligns numbers', () => {
    expect(renderText(table).split('\n')).toEqual([
      'configuration     median ms',
      '────────────────  ─────────',
      'convkit wasm           56.8',
      'tfjs cpu (stock)      1,540',
    ]);
  });

  it('counts ×, ² and → as one column each', () => {
    const t = renderText({ headers: ['a'], align: ['right'], rows: [['1.00×'], ['56²→']] });
    expect(t.split('\n').slice(2)).toEqual(['1.00×', ' 56²→']);
  });
});

describe('renderMarkdown', () => {
  it('writes a header rule with right-aligned number columns and escapes pipes', () => {
    const md = renderMarkdown({ ...table, rows: [['a|b', '1']] });
    expect(md.split('\n')).toEqual(['| configuration | median ms |', '|---|---:|', '| a\\|b | 1 |']);
  });
});

describe('number formats', () => {
  it('keep about three significant digits', () => {
    expect([0.4123, 8.2, 37.14, 1540.4, 34_400].map(formatMs)).toEqual(['0.412', '8.20', '37.1', '1,540', '34,400']);
    expect([1, 4.531, 12.34, 1234.4].map(formatRatio)).toEqual(['1.00×', '4.53×', '12.3×', '1,234×']);
    expect([0.0345, 5.2, 25.1, 225.4].map(formatGflops)).toEqual(['0.035', '5.20', '25.1', '225']);
  });
});
