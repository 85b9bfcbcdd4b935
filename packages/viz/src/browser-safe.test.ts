import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = dirname(fileURLToPath(import.meta.url));

/** Every relative module reachable from `entry`, with the bare imports each one makes. */
function importGraph(entry: string): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const visit = (file: string) => {
    if (graph.has(file)) return;
    const source = readFileSync(join(SRC, file), 'utf8');
    const specifiers = [...source.matchAll(/^\s*(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]/gm)].map(
      (m) => m[1] as string,
    );
    graph.set(
      file,
      specifiers.filter((s) => !s.startsWith('.')),
    );
    for (const s of specifiers.filter((s) => s.startsWith('.'))) visit(join(dirname(file), s.replace(/\.js$/, '.ts')));
  };
  visit(entry);
  return graph;
}

describe('the main entry is browser-safe', () => {
  it('imports no node: module (file writing lives in node.ts, a separate entry)', () => {
    const graph = importGraph('index.ts');
    expect(graph.size).toBeGreaterThan(10);
    const bare = [...new Set([...graph.values()].flat())].sort();
    expect(bare.filter((s) => s.startsWith('node:') || ['fs', 'path', 'os', 'crypto'].includes(s))).toEqual([]);
    expect(bare).toEqual(['@convkit/layers', '@convkit/shape', '@tensorflow/tfjs-core', 'fast-png', 'gifenc']);
    expect(graph.has('node.ts')).toBe(false);
  });

  it('never loads ECharts, an optional peer that only the charts entry imports', () => {
    const main = importGraph('index.ts');
    expect([...main.keys()].filter((file) => file.startsWith('charts'))).toEqual([]);
    expect([...main.values()].flat().filter((s) => s.startsWith('echarts'))).toEqual([]);
    const charts = importGraph('charts.ts');
    const bare = [...new Set([...charts.values()].flat())].sort();
    expect(bare.filter((s) => s.startsWith('echarts'))).toEqual([
      'echarts/charts',
      'echarts/components',
      'echarts/core',
      'echarts/renderers',
    ]);
    expect(bare.filter((s) => s.startsWith('node:'))).toEqual([]);
  });
});
