#!/usr/bin/env python3
"""Compares convkit's torchvision mapping with PyTorch's own models.

Run by torchvision-compare.run.ts (see README.md, "torchvision"), which
writes, per model, convkit's weights under torchvision names and convkit's
output on a seeded input. This script, for each model in manifest.json:

1. loads convkit's weights into torchvision's model with
   load_state_dict(strict=True) (so the key set and every shape must match)
   and compares PyTorch's forward with convkit's output;
2. draws torchvision's own random weights (seeded, batch-norm statistics
   perturbed), saves them with torchvision's names (num_batches_tracked
   included, as int64) and PyTorch's output, for the runner to load into
   convkit and compare the other way.

Only the Python standard library, torch and torchvision: the safetensors
format is read and written here directly.
"""
import json
import struct
import sys
from pathlib import Path

import torch
import torchvision

DTYPES = {"F32": torch.float32, "F64": torch.float64, "I64": torch.int64, "I32": torch.int32}
NAMES = {v: k for k, v in DTYPES.items()}


def read_safetensors(path):
    data = Path(path).read_bytes()
    (length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + length])
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        raw = bytearray(data[8 + length + begin : 8 + length + end])
        tensor = torch.frombuffer(raw, dtype=DTYPES[info["dtype"]]) if raw else torch.empty(0, dtype=DTYPES[info["dtype"]])
        out[name] = tensor.reshape(info["shape"]).clone()
    return out


def write_safetensors(path, tensors):
    header, chunks, offset = {}, [], 0
    for name, tensor in tensors.items():
        raw = tensor.detach().contiguous().cpu().numpy().tobytes()
        header[name] = {"dtype": NAMES[tensor.dtype], "shape": list(tensor.shape), "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    Path(path).write_bytes(struct.pack("<Q", len(text)) + text + b"".join(chunks))


def build(entry):
    kwargs = dict(entry.get("kwargs", {}))
    kwargs["num_classes"] = entry["classes"]
    if entry["torchvision"] in ("googlenet", "inception_v3"):
        kwargs.update(init_weights=True, aux_logits=True, transform_input=False)
    return getattr(torchvision.models, entry["torchvision"])(weights=None, **kwargs).eval()


def report(entry, direction, got, want):
    diff = (got - want).abs().max().item()
    scale = want.abs().max().item()
    ok = diff <= 1e-4 * max(1.0, scale)
    print(json.dumps({"model": entry["name"], "direction": direction, "max_abs_diff": diff, "max_abs_output": scale, "ok": ok}))
    return ok


def main(folder):
    folder = Path(folder)
    manifest = json.loads((folder / "manifest.json").read_text())
    torch.manual_seed(0)
    all_ok = True
    for entry in manifest:
        model = build(entry)
        x = read_safetensors(folder / entry["input"])["input"]
        # convkit → PyTorch: strict loading checks every key and shape.
        # (BatchNorm fills in num_batches_tracked for a state_dict without version metadata.)
        try:
            model.load_state_dict(read_safetensors(folder / entry["convkit_weights"]), strict=True)
        except RuntimeError as error:
            print(json.dumps({"model": entry["name"], "direction": "convkit→torch", "error": str(error), "ok": False}))
            all_ok = False
            continue
        with torch.no_grad():
            got = model(x)
        all_ok &= report(entry, "convkit→torch", got, read_safetensors(folder / entry["convkit_output"])["output"])
        # PyTorch → convkit: torchvision's model with He-scaled weights (its truncated normal σ 0.1
        # makes Inception v3's logits ~1e13 with the perturbed statistics), statistics moved off 0 and 1.
        fresh = build(entry)
        with torch.no_grad():
            for module in fresh.modules():
                if isinstance(module, (torch.nn.Conv2d, torch.nn.Linear)):
                    torch.nn.init.kaiming_normal_(module.weight, nonlinearity="relu")
                    if module.bias is not None:
                        module.bias.uniform_(-0.1, 0.1)
                if isinstance(module, torch.nn.BatchNorm2d):
                    module.running_mean.uniform_(-0.2, 0.2)
                    module.running_var.uniform_(0.5, 1.5)
                    module.weight.uniform_(0.5, 1.5)
                    module.bias.uniform_(-0.2, 0.2)
                    module.num_batches_tracked.fill_(123)
            write_safetensors(folder / entry["torch_weights"], fresh.state_dict())
            write_safetensors(folder / entry["torch_output"], {"output": fresh(x)})
    sys.exit(0 if all_ok else 1)


if __name__ == "__main__":
    main(sys.argv[1])
