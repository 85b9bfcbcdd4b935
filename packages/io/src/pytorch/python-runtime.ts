import { UnsupportedError } from '../errors.js';
import { pythonHelper } from './registry.js';

/**
 * The part of `convkit_runtime.py` every model gets: imports, the safetensors reader and writer (Debian
 * ships no Python safetensors package, so the format is written out here: an 8-byte little-endian
 * header length, a JSON header padded with spaces to 8 bytes, then the raw little-endian values), and
 * the weight table's loader and saver.
 */
const HEAD = `"""convkit runtime: what a convkit-generated model.py imports.

PyTorch runs NCHW maps and OIHW kernels; convkit names its weights \`<layer>/<weight>\` and keeps HWIO
conv kernels and [in, out] dense kernels. load_convkit_weights and convkit_weights convert between the
two with the model's CONVKIT_WEIGHTS table, so checkpoints keep convkit's names and layouts.
"""
import json
import math
import os
import struct
import tempfile

import torch
import torch.nn.functional as F
from torch import nn

_DTYPES = {
    "F64": torch.float64, "F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16,
    "I64": torch.int64, "I32": torch.int32, "I16": torch.int16, "I8": torch.int8,
    "U8": torch.uint8, "BOOL": torch.bool,
}
_NAMES = {dtype: name for name, dtype in _DTYPES.items()}


def read_safetensors(path):
    """Reads a safetensors file: ({name: tensor}, metadata dict). Raises ValueError naming the file and the problem."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 8:
        raise ValueError(f"{path}: {len(data)} bytes, too short for the 8-byte safetensors header length")
    (size,) = struct.unpack("<Q", data[:8])
    if 8 + size > len(data):
        raise ValueError(f"{path}: header of {size} bytes does not fit in a file of {len(data)} bytes")
    header = json.loads(data[8:8 + size].decode("utf-8"))
    metadata = header.pop("__metadata__", None) or {}
    base = 8 + size
    tensors = {}
    for name, info in header.items():
        if info.get("dtype") not in _DTYPES:
            raise ValueError(f"{path}: tensor {name!r} has dtype {info.get('dtype')!r}; known: {', '.join(_DTYPES)}")
        start, end = info["data_offsets"]
        shape = [int(n) for n in info["shape"]]
        dtype = _DTYPES[info["dtype"]]
        count = math.prod(shape)
        if not 0 <= start <= end <= len(data) - base or end - start != count * torch.empty(0, dtype=dtype).element_size():
            raise ValueError(f"{path}: tensor {name!r} of shape {shape} {info['dtype']} has data_offsets [{start}, {end}] that do not fit")
        if count == 0:
            tensors[name] = torch.empty(shape, dtype=dtype)
        else:
            tensors[name] = torch.frombuffer(bytearray(data[base + start:base + end]), dtype=dtype).reshape(shape)
    return tensors, metadata


def write_safetensors(path, tensors, metadata=None):
    """Writes {name: tensor} (and string metadata) as safetensors, atomically: a temporary file, then os.replace."""
    header = {}
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    chunks = []
    offset = 0
    for name, tensor in tensors.items():
        t = tensor.detach().cpu().contiguous()
        if t.dtype not in _NAMES:
            raise ValueError(f"{path}: tensor {name!r} has dtype {t.dtype}, which safetensors here does not write")
        raw = t.reshape(-1).view(torch.uint8).numpy().tobytes() if t.numel() > 0 else b""
        header[name] = {"dtype": _NAMES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    folder = os.path.dirname(os.path.abspath(path))
    fd, temp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".safetensors")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(struct.pack("<Q", len(text)))
            f.write(text)
            for raw in chunks:
                f.write(raw)
        os.replace(temp, path)
    except BaseException:
        if os.path.exists(temp):
            os.unlink(temp)
        raise


_TO_TORCH = {"same": lambda t: t, "oihw": lambda t: t.permute(3, 2, 0, 1), "linear": lambda t: t.t()}
_TO_CONVKIT = {"same": lambda t: t, "oihw": lambda t: t.permute(2, 3, 1, 0), "linear": lambda t: t.t()}


def load_convkit_weights(model, tensors, table, strict=True):
    """Copies convkit-named tensors into the model (all or nothing); lists every missing, unexpected or mis-shaped one."""
    state = model.state_dict()
    problems = []
    missing = [name for name in table if name not in tensors]
    if missing:
        problems.append(f"missing {', '.join(missing)}")
    unexpected = [name for name in tensors if name not in table]
    if strict and unexpected:
        problems.append(f"unexpected {', '.join(unexpected)}")
    values = {}
    for name, (key, layout) in table.items():
        if name not in tensors:
            continue
        value = _TO_TORCH[layout](tensors[name].to(torch.float32))
        if tuple(value.shape) != tuple(state[key].shape):
            problems.append(f"{name} is {list(tensors[name].shape)} in convkit's layout, {key} needs {list(state[key].shape)} ({layout})")
        values[key] = value
    if problems:
        raise ValueError("the convkit weights do not fit the model: " + "; ".join(problems))
    with torch.no_grad():
        for key, value in values.items():
            state[key].copy_(value)


def convkit_weights(model, table):
    """The model's weights and buffers under convkit's names, in convkit's layouts (HWIO, [in, out])."""
    state = model.state_dict()
    return {name: _TO_CONVKIT[layout](state[key].detach()).contiguous().clone() for name, (key, layout) in table.items()}
`;

/**
 * The text of `convkit_runtime.py` for a model that uses `used` helpers: the shared head, then each
 * helper once, after the helpers it needs. An unknown name throws naming it.
 */
export function pythonRuntime(used: Iterable<string>): string {
  const order: string[] = [];
  const visit = (name: string, from: string) => {
    if (order.includes(name)) return;
    const helper = pythonHelper(name);
    if (!helper) {
      throw new UnsupportedError(
        `runtime helper ${JSON.stringify(name)}`,
        `asked for by ${from}, but not registered: register it with registerPytorchHelper({ name, source })`,
      );
    }
    for (const need of helper.needs ?? []) visit(need, name);
    order.push(name);
  };
  for (const name of used) visit(name, 'an emitter');
  const sources = order.map((name) => (pythonHelper(name)?.source ?? '').trimEnd());
  return `${[HEAD.trimEnd(), ...sources].join('\n\n\n')}\n`;
}
