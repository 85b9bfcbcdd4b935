import { registerPytorchExport, registerPytorchHelper } from '@convkit/io';

// The model.py forms of this package's layers, for `pytorchModelFiles` and `convkit export --format
// pytorch`: registered once, when the module loads (index.ts imports it), as the ONNX exporter is.
// Maps are NCHW in model.py; shapes in `ctx` are convkit's `[h, w, c]`.

/** The state_dict key of a module expression `self.<attr>`. */
const keyOf = (module: string) => module.replace(/^self\./, '');

// scale: a module PyTorch lacks goes into the generated convkit_runtime.py as a helper, named after
// this package so that it cannot clash with another's; the emitter declares it and maps its weights.
registerPytorchHelper({
  name: 'ExampleScale',
  source: `class ExampleScale(nn.Module):
    """y = x * scale[c] (+ bias[c]) over dim 1: the channels of an NCHW map or the features of a vector."""

    def __init__(self, channels, bias=False):
        super().__init__()
        self.scale = nn.Parameter(torch.ones(channels))
        self.register_parameter("bias", nn.Parameter(torch.zeros(channels)) if bias else None)

    def forward(self, x):
        shape = (1, -1) + (1,) * (x.dim() - 2)
        y = x * self.scale.view(shape)
        return y if self.bias is None else y + self.bias.view(shape)
`,
});
registerPytorchExport('scale', (ctx) => {
  const channels = ctx.input.shape.at(-1) as number;
  const bias = ctx.layer.config.bias === true;
  const module = ctx.module(`${ctx.helper('ExampleScale')}(${channels}${bias ? ', bias=True' : ''})`);
  ctx.weight('scale', `${keyOf(module)}.scale`);
  if (bias) ctx.weight('bias', `${keyOf(module)}.bias`);
  return { expr: ctx.assign(`${module}(${ctx.input.expr})`), shape: ctx.input.shape };
});

// squeezeExcite: plain PyTorch, no helper: two nn.Linear modules and the gate as one line of forward
// (the mean over H and W is over dims 2 and 3 of an NCHW map).
registerPytorchExport('squeezeExcite', (ctx) => {
  const c = ctx.input.shape.at(-1) as number;
  const k = c / ((ctx.layer.config.ratio as number | undefined) ?? 4);
  const fc = [ctx.module(`nn.Linear(${c}, ${k})`, '_fc1'), ctx.module(`nn.Linear(${k}, ${c})`, '_fc2')];
  fc.forEach((m, i) => {
    ctx.weight(`w${i + 1}`, `${keyOf(m)}.weight`, 'linear'); // convkit's [in, out] is nn.Linear's weight transposed
    ctx.weight(`b${i + 1}`, `${keyOf(m)}.bias`);
  });
  const x = ctx.input.expr;
  const gate = `torch.sigmoid(${fc[1]}(F.relu(${fc[0]}(${x}.mean(dim=(2, 3))))))`;
  return { expr: ctx.assign(`${x} * ${gate}[:, :, None, None]`), shape: ctx.input.shape };
});
