"""PyTorch peer of the convkit bench: one workload, one process.

Usage: python3 torch_bench.py '<job json>'  (the orchestrator, src/run.ts, writes the job).

The network is built from the same architecture table as the ONNX models and
the MAC counts (src/architectures.ts, passed in the job), in PyTorch's NCHW
layout. The timing loop mirrors src/measure.ts line for line; keep them in step.
Prints one line "@@bench-result <json>" (src/outcome.ts).
"""

import json
import os
import sys
import time

RESULT_PREFIX = "@@bench-result "


def report(outcome):
    print("\n" + RESULT_PREFIX + json.dumps(outcome), flush=True)


def build(torch, layers, input_shape):
    nn = torch.nn
    height, width, channels = input_shape
    features = 0
    modules = []
    for layer in layers:
        kind = layer["type"]
        if kind == "conv":
            modules.append(
                nn.Conv2d(
                    channels,
                    layer["filters"],
                    layer["kernel"],
                    stride=layer["stride"],
                    padding=layer["padding"],
                    bias=layer["bias"],
                )
            )
            height = (height + 2 * layer["padding"] - layer["kernel"]) // layer["stride"] + 1
            width = (width + 2 * layer["padding"] - layer["kernel"]) // layer["stride"] + 1
            channels = layer["filters"]
            if layer["relu"]:
                modules.append(nn.ReLU(inplace=True))
        elif kind == "pool":
            modules.append(nn.MaxPool2d(layer["kernel"], stride=layer["stride"]))
            height = (height - layer["kernel"]) // layer["stride"] + 1
            width = (width - layer["kernel"]) // layer["stride"] + 1
        elif kind == "flatten":
            modules.append(nn.Flatten())
            features = height * width * channels
        elif kind == "dense":
            modules.append(nn.Linear(features, layer["units"]))
            features = layer["units"]
            if layer["relu"]:
                modules.append(nn.ReLU(inplace=True))
        else:
            raise ValueError("unknown layer type " + repr(kind))
    return nn.Sequential(*modules)


def measure(run, policy):
    """Mirror of src/measure.ts: warm-up, then timed runs within the budget."""
    warmup, warmup_total = [], 0.0

    def warm():
        return len(warmup) >= max(1, policy["warmupRuns"]) and warmup_total >= policy.get("warmupMinMs", 0)

    while not warm() and (not warmup or warmup_total < policy["budgetMs"] / 2):
        t = time_once(run)
        warmup.append(t)
        warmup_total += t
    samples, elapsed = [], 0.0
    while True:
        if len(samples) >= policy["maxRuns"]:
            break
        if samples and elapsed + samples[-1] > policy["budgetMs"]:
            break
        t = time_once(run)
        samples.append(t)
        elapsed += t
    return warmup, samples


def read_idx(path, torch):
    """An IDX file (MNIST's format) as a uint8 tensor: big-endian header, then the bytes."""
    with open(path, "rb") as f:
        raw = f.read()
    dims = raw[3]
    shape = [int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(dims)]
    return torch.frombuffer(bytearray(raw[4 + 4 * dims :]), dtype=torch.uint8).reshape(shape)


def epoch_runner(torch, model, data, batch):
    """One epoch as src/workers/mnist-epoch.ts runs it: a new seeded order, loss read every step."""
    count = data["examples"]
    images = read_idx(data["images"], torch)[:count].float().div(255).unsqueeze(1)
    labels = read_idx(data["labels"], torch)[:count].long()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    loss_fn = torch.nn.CrossEntropyLoss()
    model.train()
    state = {"epoch": 0}

    def run():
        generator = torch.Generator().manual_seed(1000 + state["epoch"])
        state["epoch"] += 1
        order = torch.randperm(count, generator=generator)
        for start in range(0, count, batch):
            index = order[start : start + batch]
            optimizer.zero_grad()
            loss = loss_fn(model(images[index]), labels[index])
            loss.backward()
            optimizer.step()
            loss.item()

    return run


def time_once(run):
    start = time.perf_counter()
    run()
    return (time.perf_counter() - start) * 1000.0


def main():
    job = json.loads(sys.argv[1])
    import torch

    threads = job["threads"]
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    workload = job["workload"]
    architecture = workload["architecture"]
    batch = workload["batch"]
    height, width, channels = architecture["input"]
    model = build(torch, architecture["layers"], architecture["input"])
    x = torch.rand(batch, channels, height, width)
    params = sum(p.numel() for p in model.parameters())
    if params != job["params"]:
        raise RuntimeError(f"PyTorch model has {params} parameters, the architecture table says {job['params']}")

    if workload["mode"] == "epoch":
        run = epoch_runner(torch, model, workload["data"], batch)
    elif workload["mode"] == "train":
        classes = architecture["layers"][-1]["units"]
        y = torch.randint(0, classes, (batch,))
        optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
        loss_fn = torch.nn.CrossEntropyLoss()
        model.train()

        def run():
            optimizer.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            optimizer.step()
            loss.item()

    else:
        model.eval()

        def run():
            with torch.inference_mode():
                model(x)

    warmup, samples = measure(run, job["policy"])
    blas = os.environ.get("CONVKIT_BENCH_BLAS", "the system's BLAS")
    runtime = f"PyTorch {torch.__version__} CPU, {torch.get_num_threads()} threads, NCHW, {blas}"
    return {"kind": "ok", "warmupMs": warmup, "samplesMs": samples, "runtime": runtime}


if __name__ == "__main__":
    try:
        report(main())
    except Exception as error:  # noqa: BLE001 - every failure becomes the cell's reason
        report({"kind": "failed", "reason": f"{type(error).__name__}: {error}"})
