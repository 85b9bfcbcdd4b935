import { thrown } from '@convkit/vitest-config/thrown';
import { describe, expect, it } from 'vitest';
import { FormatError } from '../errors.js';
import { readFields } from '../proto/reader.js';
import { ProtoMessage } from '../proto/writer.js';
import { valueInfo } from './builders.js';
import { decodeOnnx, MAX_ONNX_NODES } from './decode.js';
import { GRAPH, MODEL, NODE, OPSET_ID, TENSOR } from './fields.js';
import { convertOnnx } from './import.js';

/** `bytes` with the decimal digits of `n` written over `width` bytes at `at`. */
function writeDigits(bytes: Uint8Array, at: number, width: number, n: number): void {
  for (let d = width - 1; d >= 0; d--, n = Math.floor(n / 10)) bytes[at + d] = 0x30 + (n % 10);
}

/**
 * A valid model of `count` Relu nodes in a chain, as the 35 MB file:
 * one encoded node repeated with its value names rewritten in place, so a
 * test can build 10⁶ of them in a fraction of a second.
 */
function reluChain(count: number, entries: 'node' | 'initializer' = 'node'): Uint8Array {
  const width = String(count).length;
  const name = (k: number) => `v${String(k).padStart(width, '0')}`;
  const one =
    entries === 'node'
      ? new ProtoMessage()
          .message(
            GRAPH.node,
            new ProtoMessage().string(NODE.input, name(0)).string(NODE.output, name(1)).string(NODE.opType, 'Relu'),
          )
          .finish()
      : new ProtoMessage().message(GRAPH.initializer, new ProtoMessage().string(TENSOR.name, name(0))).finish();
  const text = new TextDecoder().decode(one);
  const inputAt = text.indexOf(name(0)) + 1;
  const outputAt = text.indexOf(name(1)) + 1;
  const run = new Uint8Array(count * one.length);
  for (let k = 0; k < count; k++) {
    run.set(one, k * one.length);
    writeDigits(run, k * one.length + inputAt, width, entries === 'node' ? k : k + 1);
    if (outputAt > 0) writeDigits(run, k * one.length + outputAt, width, k + 1);
  }
  const rest = new ProtoMessage()
    .string(GRAPH.name, 'chain')
    .message(GRAPH.input, valueInfo(name(0), [1, 3, 8, 8]))
    .message(GRAPH.output, valueInfo(name(entries === 'node' ? count : 0), [1, 3, 8, 8]))
    .finish();
  const graph = new Uint8Array(run.length + rest.length);
  graph.set(run);
  graph.set(rest, run.length);
  return new ProtoMessage()
    .varint(MODEL.irVersion, 7)
    .bytes(MODEL.graph, graph)
    .message(MODEL.opsetImport, new ProtoMessage().string(OPSET_ID.domain, '').varint(OPSET_ID.version, 13))
    .finish();
}

describe('the node limit of ONNX import', () => {
  it('the chain builder makes a model convertOnnx reads', () => {
    const converted = convertOnnx(reluChain(5), { file: 'chain.onnx' });
    expect((converted.architecture.config as { layers: unknown[] }).layers).toHaveLength(5);
  });

  it(`a chain of 10⁶ nodes is refused early, naming the limit (${MAX_ONNX_NODES}), the count and the option`, () => {
    const bytes = reluChain(1_000_000);
    expect(bytes.length).toBeGreaterThan(25e6);
    const before = process.memoryUsage().rss;
    const start = performance.now();
    const error = thrown(FormatError, () => convertOnnx(bytes, { file: 'chain.onnx' }));
    const seconds = (performance.now() - start) / 1000;
    // maxRSS is the process's peak so far: the difference bounds what converting added.
    const added = process.resourceUsage().maxRSS * 1024 - before;
    expect(error.file).toBe('chain.onnx');
    expect(error.message).toContain(`1000000 nodes, more than the limit of ${MAX_ONNX_NODES} (maxNodes)`);
    // The bound (it took 24 s and 2 GB); generous for a busy two-core machine.
    expect(seconds).toBeLessThan(3);
    expect(added).toBeLessThan(300e6);
  });

  it('maxNodes lowers or raises the limit', () => {
    const bytes = reluChain(5);
    expect(() => convertOnnx(bytes, { file: 'chain.onnx', maxNodes: 4 })).toThrow(
      /5 nodes, more than the limit of 4 \(maxNodes\)/,
    );
    expect(decodeOnnx(bytes, 'chain.onnx', { maxNodes: 5 }).graph.nodes).toHaveLength(5);
  });

  it('initializers count against the same limit', () => {
    const error = thrown(FormatError, () => decodeOnnx(reluChain(6, 'initializer'), 'weights.onnx', { maxNodes: 5 }));
    expect(error.message).toContain('the graph has 6 initializers, more than the limit of 5 (maxNodes)');
  });

  it('so do value_info entries and unknown fields of the graph, and fields of the model itself', () => {
    const graph = reluChain(3);
    const flood = (field: number, count: number) => {
      const one = new ProtoMessage().string(field, 'x').finish();
      const out = new Uint8Array(count * one.length);
      for (let k = 0; k < count; k++) out.set(one, k * one.length);
      return out;
    };
    const withGraphExtra = (extra: Uint8Array) => {
      const field = readFields(graph, { file: 'x', offset: 0 }).find((f) => f.field === MODEL.graph);
      if (field?.value.wire !== 2) throw new Error('the chain has no graph');
      const body = field.value.bytes;
      const both = new Uint8Array(body.length + extra.length);
      both.set(body);
      both.set(extra, body.length);
      return new ProtoMessage()
        .bytes(MODEL.graph, both)
        .message(MODEL.opsetImport, new ProtoMessage().varint(OPSET_ID.version, 13))
        .finish();
    };
    expect(() => decodeOnnx(withGraphExtra(flood(GRAPH.valueInfo, 6)), 'v.onnx', { maxNodes: 5 })).toThrow(
      /the graph has 6 value_info entries, more than the limit of 5/,
    );
    // Six unknown fields and the graph's name.
    expect(() => decodeOnnx(withGraphExtra(flood(99, 6)), 'u.onnx', { maxNodes: 5 })).toThrow(
      /the graph has 7 other fields, more than the limit of 5/,
    );
    const model = Uint8Array.from([...graph, ...flood(99, 6)]);
    expect(() => decodeOnnx(model, 'm.onnx', { maxNodes: 5 })).toThrow(
      /the model has 9 fields, more than the limit of 5/,
    );
  });
});
