import * as tf from '@tensorflow/tfjs-core';

type Pad4 = [[0, 0], [number, number], [number, number], [0, 0]];

/**
 * Pads (positive) or crops (negative) the height and width of an NHWC
 * tensor, so a convolution can run with non-negative explicit padding.
 */
function padOrCrop(x: tf.Tensor4D, [[top, bottom], [left, right]]: [[number, number], [number, number]]): tf.Tensor4D {
  const cropped = tf.slice(
    x,
    [0, Math.max(0, -top), Math.max(0, -left), 0],
    [
      -1,
      x.shape[1] - Math.max(0, -top) - Math.max(0, -bottom),
      x.shape[2] - Math.max(0, -left) - Math.max(0, -right),
      -1,
    ],
  );
  const pad: Pad4 = [
    [0, 0],
    [Math.max(0, top), Math.max(0, bottom)],
    [Math.max(0, left), Math.max(0, right)],
    [0, 0],
  ];
  return pad.flat().some((p) => p > 0) ? tf.pad(cropped, pad) : cropped;
}

/**
 * Gradient of `Conv2D` that also handles dilation, which tfjs-core's own
 * gradient rejects ("dilation rates greater than 1 are not yet supported").
 * Undilated convolutions take tfjs' backprop kernels as before. A dilated
 * convolution (stride 1, as tfjs requires) differentiates into two ordinary
 * convolutions that every backend runs fast:
 * - input: the output gradient convolved with the flipped, transposed filter,
 *   at the same dilation;
 * - filter: the batch-transposed input convolved with the output gradient as
 *   a filter, at stride = dilation.
 */
export const conv2dGradConfig: tf.GradConfig = {
  kernelName: tf.Conv2D,
  inputsToSave: ['x', 'filter'],
  gradFunc: (dy, saved, attrs) => {
    const [x, filter] = saved as [tf.Tensor4D, tf.Tensor4D];
    const dy4 = dy as tf.Tensor4D;
    const { strides, pad, dataFormat, dilations, dimRoundingMode } = attrs as unknown as tf.Conv2DAttrs;
    const dilation = typeof dilations === 'number' ? [dilations, dilations] : (dilations ?? [1, 1]);
    if (dataFormat === 'NCHW')
      throw new Error('convkit: the Conv2D gradient supports NHWC only (convkit layers are NHWC)');
    if (dilation[0] === 1 && dilation[1] === 1) {
      return {
        x: () => tf.conv2dTranspose(dy4, filter, x.shape, strides, pad as never, dimRoundingMode),
        filter: () =>
          tf.engine().runKernel(tf.Conv2DBackpropFilter, { x, dy: dy4 }, {
            strides,
            pad,
            dataFormat,
            dimRoundingMode,
            filterShape: filter.shape,
          } as unknown as tf.NamedAttrMap) as tf.Tensor4D,
      };
    }
    const info = tf.backend_util.computeConv2DInfo(
      x.shape,
      filter.shape,
      strides,
      dilation as [number, number],
      pad,
      dimRoundingMode,
    );
    const [kh, kw] = [filter.shape[0], filter.shape[1]];
    const [dh, dw] = [info.dilationHeight, info.dilationWidth];
    const { top, left } = info.padInfo;
    return {
      x: () => {
        const flipped = tf.transpose(tf.reverse(filter, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D;
        const spanH = (kh - 1) * dh;
        const spanW = (kw - 1) * dw;
        const source = padOrCrop(dy4, [
          [spanH - top, x.shape[1] - info.outHeight + top],
          [spanW - left, x.shape[2] - info.outWidth + left],
        ]);
        return tf.conv2d(source, flipped, 1, 'valid', 'NHWC', [dh, dw]);
      },
      filter: () => {
        const input = tf.transpose(x, [3, 1, 2, 0]) as tf.Tensor4D; // [inC, H, W, batch]
        const kernel = tf.transpose(dy4, [1, 2, 0, 3]) as tf.Tensor4D; // [outH, outW, batch, outC]
        const source = padOrCrop(input, [
          [top, (kh - 1) * dh + info.outHeight - x.shape[1] - top],
          [left, (kw - 1) * dw + info.outWidth - x.shape[2] - left],
        ]);
        const grad = tf.conv2d(source, kernel, [dh, dw], 'valid'); // [inC, kh, kw, outC]
        return tf.transpose(grad, [1, 2, 0, 3]) as tf.Tensor4D;
      },
    };
  },
};
