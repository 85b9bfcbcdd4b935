import type { PythonHelper } from './registry.js';

// The Python modules of convkit's paper layers, written into the generated convkit_runtime.py when a
// model uses them. Each computes its layer's formula as convkit's TypeScript does (same reductions, the
// same zero cases), so model.py's forward and gradients match convkit's. Maps are NCHW; `pad` tuples
// are F.pad's (left, right, top, bottom).

/** LeNet-5's C3: a plain conv2d's weight times a fixed 0/1 mask (convkit multiplies its HWIO kernel by the same mask). */
const CONNECTED_CONV = `class ConnectedConv2d(nn.Module):
    """A convolution whose filter f reads only the input channels connections[f] (LeNet-5's C3): the
    weight is multiplied by a fixed 0/1 mask, so unconnected entries never act and get no gradient."""

    def __init__(self, in_channels, out_channels, kernel_size, connections, stride=(1, 1), pad=(0, 0, 0, 0),
                 dilation=(1, 1), bias=True):
        super().__init__()
        self.stride, self.pad, self.dilation = tuple(stride), tuple(pad), tuple(dilation)
        self.weight = nn.Parameter(torch.zeros(out_channels, in_channels, *kernel_size))
        self.register_parameter("bias", nn.Parameter(torch.zeros(out_channels)) if bias else None)
        mask = torch.zeros(out_channels, in_channels, 1, 1)
        for f, inputs in enumerate(connections):
            mask[f, list(inputs)] = 1.0
        # Not in the state_dict: the mask is the config's table, not a weight.
        self.register_buffer("mask", mask.expand_as(self.weight).contiguous(), persistent=False)

    def forward(self, x):
        x = F.pad(x, self.pad) if any(self.pad) else x
        return F.conv2d(x, self.weight * self.mask, self.bias, self.stride, 0, self.dilation)

    def extra_repr(self):
        return f"{self.weight.shape[1]}, {self.weight.shape[0]}, kernel_size={tuple(self.weight.shape[2:])}, connections={int(self.mask[:, :, 0, 0].sum())}"
`;

/** LeNet-5's output layer (zoo's rbf.ts): the negated squared distance to ±1 centres, in convkit's own expansion. */
const EUCLIDEAN_RBF = `class EuclideanRbf(nn.Module):
    """LeNet-5's output: y_i = -sum_j (x_j - c_ji)^2 with fixed centres c = sign(centres), a [in, units]
    buffer in convkit's layout (not trained), computed as convkit does: -(|x|^2 - 2 x.c + |c|^2)."""

    def __init__(self, in_features, units):
        super().__init__()
        self.register_buffer("centres", torch.zeros(in_features, units))

    def forward(self, x):
        c = torch.sign(self.centres)
        return -(x.square().sum(1, keepdim=True) - 2 * (x @ c) + c.square().sum(0, keepdim=True))
`;

/** convkit's `windowSum` (layers/ops.ts): an average pool times the window size, zeros of the padding counted. */
const WINDOW_SUM = `def window_sum(x, kernel, stride, pad=(0, 0, 0, 0)):
    """The sum over each window, zeros of pad included: an average pool times the window size, as convkit does."""
    x = F.pad(x, pad) if any(pad) else x
    return F.avg_pool2d(x, kernel, stride) * (kernel[0] * kernel[1])
`;

const SUBSAMPLE = `class Subsample2d(nn.Module):
    """LeNet-5's S2/S4: per channel, a window's sum times a trainable coefficient plus a trainable bias
    (model.py applies the activation). No padding: floor of the windows that fit."""

    def __init__(self, channels, kernel, stride):
        super().__init__()
        self.kernel, self.stride = tuple(kernel), tuple(stride)
        self.coefficient = nn.Parameter(torch.full((channels,), 1.0 / (self.kernel[0] * self.kernel[1])))
        self.bias = nn.Parameter(torch.zeros(channels))

    def forward(self, x):
        s = window_sum(x, self.kernel, self.stride)
        return s * self.coefficient.view(1, -1, 1, 1) + self.bias.view(1, -1, 1, 1)

    def extra_repr(self):
        return f"{self.bias.numel()}, kernel={self.kernel}, stride={self.stride}"
`;

const LP_POOL = `class LpPool2d(nn.Module):
    """(sum over the window of |x|^p)^(1/p), the padding counting as zeros (ONNX LpPool); nn.LPPool2d has
    neither the abs nor the padding. Gradients are 0, not inf or nan, at zero inputs and all-zero windows,
    as in convkit."""

    def __init__(self, kernel, stride, pad=(0, 0, 0, 0), p=2.0):
        super().__init__()
        self.kernel, self.stride, self.pad, self.p = tuple(kernel), tuple(stride), tuple(pad), float(p)

    def forward(self, x):
        p = self.p
        if p == 2:
            powered = x * x
        else:
            a = x.abs()
            nonzero = a > 0
            powered = torch.where(nonzero, torch.where(nonzero, a, torch.ones_like(a)).pow(p), torch.zeros_like(a))
        s = window_sum(powered, self.kernel, self.stride, self.pad)
        if p == 1:
            return s
        positive = s > 0
        safe = torch.where(positive, s, torch.ones_like(s))
        return torch.where(positive, safe.sqrt() if p == 2 else safe.pow(1 / p), torch.zeros_like(s))

    def extra_repr(self):
        return f"p={self.p}, kernel={self.kernel}, stride={self.stride}, pad={self.pad}"
`;

const STOCHASTIC_POOL = `class StochasticPool2d(nn.Module):
    """Zeiler & Fergus 2013. Training: each window's output is one of its activations, drawn with
    probability a_i / sum(a) (negatives count as 0), the gradient flowing to the drawn one. Inference: the
    probability-weighted mean sum(a^2) / sum(a). A window whose sum is 0 gives 0. self.uniforms(shape)
    gives the draws, [N, C, oh, ow, 1] in [0, 1): assign a function to it to inject them."""

    def __init__(self, kernel, stride):
        super().__init__()
        self.kernel, self.stride = tuple(kernel), tuple(stride)

    def uniforms(self, shape):
        """The training-mode draws: a method (not a lambda) so that the module pickles; tests replace it."""
        return torch.rand(shape)

    def forward(self, x):
        (kh, kw), (sh, sw) = self.kernel, self.stride
        a = x.unfold(2, kh, sh).unfold(3, kw, sw)  # [N, C, oh, ow, kh, kw]
        a = a.reshape(*a.shape[:4], kh * kw)
        weights = torch.relu(a)
        if not self.training:
            total = weights.sum(-1)
            positive = total > 0
            safe = torch.where(positive, total, torch.ones_like(total))
            return torch.where(positive, weights.square().sum(-1) / safe, torch.zeros_like(total))
        with torch.no_grad():
            cumulative = weights.cumsum(-1)
            total = cumulative[..., -1:]
            u = self.uniforms(total.shape).to(device=x.device, dtype=x.dtype)
            # The drawn index: how many cumulative sums lie at or below u*sum (and below the sum itself).
            index = ((cumulative <= u * total) & (cumulative < total)).sum(-1)
            mask = F.one_hot(index, kh * kw).to(x.dtype) * (total > 0).to(x.dtype)
        return (mask * a).sum(-1)

    def extra_repr(self):
        return f"kernel={self.kernel}, stride={self.stride}"
`;

const CHANNEL_POOL = `class ChannelPool(nn.Module):
    """The max over groups of 'pieces' consecutive channels (dim 1 of a map or a vector): maxout over maps."""

    def __init__(self, pieces):
        super().__init__()
        self.pieces = pieces

    def forward(self, x):
        return x.unflatten(1, (x.shape[1] // self.pieces, self.pieces)).amax(2)

    def extra_repr(self):
        return f"pieces={self.pieces}"
`;

const MAXOUT = `class Maxout(nn.Module):
    """Goodfellow et al. 2013: a Linear to units * pieces features, then the max of each unit's pieces."""

    def __init__(self, in_features, units, pieces, bias=True):
        super().__init__()
        self.linear = nn.Linear(in_features, units * pieces, bias=bias)
        self.pool = ChannelPool(pieces)

    def forward(self, x):
        return self.pool(self.linear(x))
`;

/** The runtime helpers the paper layers' emitters use. */
export const PAPER_PYTHON_HELPERS: readonly PythonHelper[] = [
  { name: 'ConnectedConv2d', source: CONNECTED_CONV },
  { name: 'EuclideanRbf', source: EUCLIDEAN_RBF },
  { name: 'window_sum', source: WINDOW_SUM },
  { name: 'Subsample2d', source: SUBSAMPLE, needs: ['window_sum'] },
  { name: 'LpPool2d', source: LP_POOL, needs: ['window_sum'] },
  { name: 'StochasticPool2d', source: STOCHASTIC_POOL },
  { name: 'ChannelPool', source: CHANNEL_POOL },
  { name: 'Maxout', source: MAXOUT, needs: ['ChannelPool'] },
];
