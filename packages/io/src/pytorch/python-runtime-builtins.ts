import type { PythonHelper } from './registry.js';

/**
 * convkit's batch norm in PyTorch. Two things differ from `nn.BatchNorm2d`: the momentum is Keras-style
 * (`running = m·running + (1 − m)·batch`, convkit's default 0.9 is PyTorch's 0.1), and convkit moves the
 * running variance towards the BIASED batch variance (`tf.moments`) where PyTorch uses the unbiased one.
 * Scale-only and center-only forms leave out `weight` or `bias`.
 */
const BATCH_NORM = `class BatchNorm(nn.Module):
    """convkit's batch norm: running = momentum·running + (1 − momentum)·batch, with the biased batch variance."""

    def __init__(self, channels, eps=1e-5, momentum=0.9, scale=True, center=True):
        super().__init__()
        self.eps = eps
        self.momentum = momentum
        self.register_parameter("weight", nn.Parameter(torch.ones(channels)) if scale else None)
        self.register_parameter("bias", nn.Parameter(torch.zeros(channels)) if center else None)
        self.register_buffer("running_mean", torch.zeros(channels))
        self.register_buffer("running_var", torch.ones(channels))

    def forward(self, x):
        shape = (1, -1) + (1,) * (x.dim() - 2)
        if self.training:
            dims = [0] + list(range(2, x.dim()))
            mean = x.mean(dim=dims)
            var = x.var(dim=dims, unbiased=False)
            with torch.no_grad():
                self.running_mean.mul_(self.momentum).add_(mean.detach(), alpha=1 - self.momentum)
                self.running_var.mul_(self.momentum).add_(var.detach(), alpha=1 - self.momentum)
        else:
            mean, var = self.running_mean, self.running_var
        y = (x - mean.view(shape)) * torch.rsqrt(var.view(shape) + self.eps)
        if self.weight is not None:
            y = y * self.weight.view(shape)
        if self.bias is not None:
            y = y + self.bias.view(shape)
        return y

    def extra_repr(self):
        return f"{self.running_mean.numel()}, eps={self.eps}, momentum={self.momentum} (Keras-style)"
`;

/**
 * Average pooling as convkit (TensorFlow) pads: each window's divisor counts the input elements it
 * covers, plus the explicit padding when `count_include_pad`; the end padding ceil mode's last window
 * reads is never counted (as in PyTorch). Works for asymmetric padding, which `nn.AvgPool2d` lacks.
 */
const AVG_POOL = `class AvgPool2d(nn.Module):
    """Average pooling with explicit (left, right, top, bottom) padding; extended adds ceil mode's end padding."""

    def __init__(self, kernel_size, stride, padding, extended, count_include_pad=False):
        super().__init__()
        self.kernel_size = tuple(kernel_size)
        self.stride = tuple(stride)
        self.padding = tuple(padding)
        self.extended = tuple(extended)
        self.count_include_pad = count_include_pad

    def forward(self, x):
        sums = F.avg_pool2d(F.pad(x, self.extended), self.kernel_size, self.stride, divisor_override=1)
        ones = x.new_ones((1, 1) + tuple(x.shape[2:]))
        if self.count_include_pad:
            left, right, top, bottom = self.padding
            rest = (0, self.extended[1] - right, 0, self.extended[3] - bottom)
            ones = F.pad(F.pad(ones, self.padding, value=1.0), rest)
        else:
            ones = F.pad(ones, self.extended)
        return sums / F.avg_pool2d(ones, self.kernel_size, self.stride, divisor_override=1)

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, count_include_pad={self.count_include_pad}"
`;

/**
 * convkit's gelu written out. PyTorch 1.13's `F.gelu` backward gives wrong gradients on CPU (measured
 * 2.0 off) when the incoming gradient has channels-last strides, which flatten's permute produces.
 */
const GELU = `def gelu(x):
    """convkit's gelu, 0.5·x·(1 + erf(x/√2)), as a formula: F.gelu's backward in PyTorch 1.13 is wrong
    for a gradient with channels-last strides (what flatten's permute sends back)."""
    return 0.5 * x * (1 + torch.erf(x * 0.7071067811865476))
`;

/** The runtime helpers convkit's built-in emitters use. */
export const BUILT_IN_PYTHON_HELPERS: readonly PythonHelper[] = [
  { name: 'BatchNorm', source: BATCH_NORM },
  { name: 'AvgPool2d', source: AVG_POOL },
  { name: 'gelu', source: GELU },
];
