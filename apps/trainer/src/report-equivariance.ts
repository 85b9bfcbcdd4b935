import { type Layer, walkLayers } from '@convkit/layers';
import { activationAt, encodePng, poolingInvariance, shiftEquivariance } from '@convkit/viz';
import * as tf from '@tensorflow/tfjs-core';

/** The name of the first layer of `type` in the model, depth-first (inside branches and any container too). */
function firstLayerOfType(model: Layer, type: string): string | undefined {
  return walkLayers(model).find((v) => v.layer.type === type)?.layer.name;
}

/** The channel whose map varies most for this input: a dead or flat channel would show nothing. */
async function liveliestChannel(
  model: Layer,
  x: { data: Float32Array; shape: number[] },
  layer: string,
): Promise<number> {
  const best = tf.tidy(() => {
    const maps = activationAt(model, tf.tensor(x.data, x.shape), layer);
    return tf.argMax(tf.sub(tf.max(maps, [0, 1, 2]), tf.min(maps, [0, 1, 2])));
  });
  const [channel] = await best.data();
  best.dispose();
  return channel ?? 0;
}

/**
 * Shift equivariance of `layer` and pooling invariance of the first max pool
 * on one input: `equivariance.png`, its caption in `equivariance.json`, and
 * the measured lines, returned.
 */
export async function equivarianceFigure(
  model: Layer,
  x: { data: Float32Array; shape: number[] },
  layer: string,
  write: (name: string, bytes: Uint8Array | string) => Promise<void>,
): Promise<string[]> {
  const lines: string[] = [];
  const out = (line: string) => void lines.push(line);
  const conv = await shiftEquivariance(model, x, {
    layer,
    shift: [2, 2],
    channel: await liveliestChannel(model, x, layer),
  });
  out(
    `${layer}: input shifted by 2 px down and right → maps expected to shift by ${conv.mapShift.join('×')} (jump ${conv.jump.join('×')}); ` +
      `max |difference| on the interior ${conv.maxAbsError.toExponential(2)}, relative ${conv.relativeError.toExponential(2)}${conv.exact ? ' (a multiple of the jump: exact equivariance expected)' : ''}`,
  );
  await write('equivariance.png', encodePng(conv.image));
  const pool = firstLayerOfType(model, 'maxPool2d');
  const row = pool ? (await poolingInvariance(model, x, { layer: pool, shifts: [1] })).rows[0] : undefined;
  if (row) {
    out(
      `${pool}: under a 1-pixel shift ${(100 * row.unchangedFraction).toFixed(1)} % of the pooled outputs are unchanged ` +
        `(${(100 * row.unchangedActiveFraction).toFixed(1)} % of the non-zero ones), relative change ${row.relativeChange.toFixed(3)}`,
    );
  }
  const caption = `An input, the input shifted by 2 pixels, their feature maps (${layer}) and the difference. ${lines.join('; ')}.`;
  await write('equivariance.json', JSON.stringify({ caption }));
  return lines;
}
