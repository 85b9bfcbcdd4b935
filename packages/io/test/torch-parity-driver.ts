/**
 * The Python side of torch-compare.ts: for each case folder, model.py's inference output, its
 * training-mode loss gradient in float32 and in float64 (the float64 one measures how well-conditioned
 * that gradient is at the case's input), the smallest |input| any ReLU saw in that step, and the running
 * statistics after it, written to the folder's out.safetensors.
 */
export const DRIVER = `
import importlib.util, os, sys, traceback
import torch
import torch.nn.functional as F

torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "2")))


def load(folder):
    for name in ("convkit_runtime", "model"):
        sys.modules.pop(name, None)
    sys.path.insert(0, folder)
    try:
        spec = importlib.util.spec_from_file_location("model", os.path.join(folder, "model.py"))
        module = importlib.util.module_from_spec(spec)
        sys.modules["model"] = module
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(folder)
    return module, sys.modules["convkit_runtime"]


class Kinks:
    """The smallest distance to a kink any ReLU (or ReLU6) input had in the training-mode forward: near 0, the two libraries' rounding can
    put an input on opposite sides of the kink, and that one element's gradient then passes in one and not
    the other (a property of the test input, not of the export)."""

    def __init__(self):
        self.least, self.near, self.on = float("inf"), 0, False

    def see(self, a):
        if self.on:
            self.least = min(self.least, float(a.min()))
            self.near += int((a < 1e-5).sum())

    def relu(self, x, inplace=False):
        self.see(x.detach().abs())
        return RELU(x, inplace=inplace)

    def relu6(self, x, inplace=False):
        # ReLU6 has two kinks, at 0 and at 6.
        self.see(torch.minimum(x.detach().abs(), (x.detach() - 6).abs()))
        return RELU6(x, inplace=inplace)


RELU, RELU6 = F.relu, F.relu6
KINKS = Kinks()
F.relu, F.relu6 = KINKS.relu, KINKS.relu6


def train_step(m, ck, model, data, meta, out, prefix):
    model.train()
    result = model(data["x"])
    main, aux = result if isinstance(result, tuple) else (result, [])
    labels = data["labels"].long()
    loss = F.cross_entropy(main, labels)
    for a in aux:
        loss = loss + float(meta["aux_weight"]) * F.cross_entropy(a, labels)
    loss.backward()
    params = dict(model.named_parameters())
    for name, (key, layout) in m.CONVKIT_WEIGHTS.items():
        p = params.get(key)
        if p is not None and p.grad is not None:
            out[prefix + name] = ck._TO_CONVKIT[layout](p.grad).float()
    return aux


def run(folder):
    m, ck = load(folder)
    weights, _ = ck.read_safetensors(os.path.join(folder, "weights.safetensors"))
    data, meta = ck.read_safetensors(os.path.join(folder, "input.safetensors"))
    model = m.build_model()
    m.load_convkit_weights(model, weights)
    out = {}
    model.eval()
    with torch.no_grad():
        out["y"] = model(data["x"])
    if meta.get("forward_only") == "true":
        ck.write_safetensors(os.path.join(folder, "out.safetensors"), out)
        return
    KINKS.__init__()
    KINKS.on = True
    aux = train_step(m, ck, model, data, meta, out, "grad:")
    KINKS.on = False
    # The same step in float64 (PyTorch's own float32 error shows whether the gradient is well-conditioned
    # at this input: where it is not, two float32 libraries cannot agree to the tolerance either).
    try:
        exact = m.build_model()
        m.load_convkit_weights(exact, weights)
        exact_data = {k: v.double() if k == "x" else v for k, v in data.items()}
        train_step(m, ck, exact.double(), exact_data, meta, out, "grad64:")
    except Exception:
        pass  # a layer without a float64 path: the result says the conditioning was not measured
    for name, value in m.convkit_weights(model).items():
        out["after:" + name] = value
    out["aux_count"] = torch.tensor([len(aux)], dtype=torch.int32)
    out["relu_least"] = torch.tensor([KINKS.least], dtype=torch.float32)
    out["relu_near"] = torch.tensor([KINKS.near], dtype=torch.int32)
    ck.write_safetensors(os.path.join(folder, "out.safetensors"), out)


for folder in sys.argv[1:]:
    try:
        run(folder)
    except Exception:
        with open(os.path.join(folder, "error.txt"), "w") as f:
            f.write(traceback.format_exc())
`;
