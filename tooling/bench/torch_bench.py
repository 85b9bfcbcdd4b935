"""PyTorch peer of the convkit bench: one workload, one process.

Usage: python3 torch_bench.py '<job json>'  (the orchestrator, src/run.ts, writes the job).
       python3 torch_bench.py --profile '<job json>'  (src/profile-native.ts --torch: a train job's
       step kernel by kernel through torch.profiler, printed as a table, no result line).

The network is built from the same architecture table as the ONNX models and
the MAC counts (src/architectures.ts, passed in the job), in PyTorch's NCHW
layout. The timing loop mirrors src/measure.ts line for line; keep them in step.
The job's configuration says the device: "cpu" (PyTorch CPU, the job's threads)
or "cuda" (PyTorch CUDA: model and tensors on the GPU, cudnn.benchmark on, and
every run waits for the GPU with torch.cuda.synchronize() before the clock is
read, as a read-back ends a run in measure.ts).
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


def measure(run, policy, sync=None):
    """Mirror of src/measure.ts: warm-up, then timed runs within the budget (sync: see time_once)."""
    warmup, warmup_total = [], 0.0

    def warm():
        return len(warmup) >= max(1, policy["warmupRuns"]) and warmup_total >= policy.get("warmupMinMs", 0)

    while not warm() and (not warmup or warmup_total < policy["budgetMs"] / 2):
        t = time_once(run, sync)
        warmup.append(t)
        warmup_total += t
    samples, elapsed = [], 0.0
    while True:
        if len(samples) >= policy["maxRuns"]:
            break
        if len(samples) >= policy.get("minRuns", policy["maxRuns"]) and elapsed >= policy.get("sampleMinMs", 0):
            break
        if samples and elapsed + samples[-1] > policy["budgetMs"]:
            break
        t = time_once(run, sync)
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


def epoch_runner(torch, model, data, batch, device):
    """One epoch as src/workers/mnist-epoch.ts runs it: a new seeded order, loss read every step."""
    count = data["examples"]
    images = read_idx(data["images"], torch)[:count].float().div(255).unsqueeze(1).to(device)
    labels = read_idx(data["labels"], torch)[:count].long().to(device)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    loss_fn = torch.nn.CrossEntropyLoss()
    model.train()
    state = {"epoch": 0}

    def run():
        generator = torch.Generator().manual_seed(1000 + state["epoch"])
        state["epoch"] += 1
        order = torch.randperm(count, generator=generator).to(device)
        for start in range(0, count, batch):
            index = order[start : start + batch]
            optimizer.zero_grad()
            loss = loss_fn(model(images[index]), labels[index])
            loss.backward()
            optimizer.step()
            loss.item()

    return run


def time_once(run, sync=None):
    """One run in ms; on a GPU, sync() waits for the queued work on both sides of the clock."""
    if sync:
        sync()
    start = time.perf_counter()
    run()
    if sync:
        sync()
    return (time.perf_counter() - start) * 1000.0


def cuda_runtime(torch):
    """The row's notes for PyTorch CUDA: versions, the GPU, and the math PyTorch's defaults chose."""
    cudnn = torch.backends.cudnn.version() if torch.backends.cudnn.is_available() else None
    name = torch.cuda.get_device_name(0)
    # main() turns TF32 off (convkit computes in FP32); the note says what was in effect.
    tf32 = []
    if torch.backends.cudnn.allow_tf32:
        tf32.append("convolutions")
    if torch.backends.cuda.matmul.allow_tf32:
        tf32.append("matmuls")
    return (
        f"PyTorch {torch.__version__} CUDA {torch.version.cuda}, "
        + (f"cuDNN {cudnn} (benchmark mode)" if cudnn else "no cuDNN")
        + f", {name}, NCHW, "
        + (f"TF32 allowed in {' and '.join(tf32)}" if tf32 else "FP32 throughout")
    )


def profile(torch, run, job):
    """Kernel by kernel: self CPU time per operator (and input shapes) over the job's profiled steps."""
    options = job["profile"]
    steps = options["steps"]
    for _ in range(2):  # as profile-native.ts: two untimed steps first
        run()
    with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU], record_shapes=True) as prof:
        for _ in range(steps):
            run()
    start, cpu_start = time.perf_counter(), time.process_time()
    for _ in range(steps):
        run()
    step_ms = (time.perf_counter() - start) * 1000.0 / steps
    # CPU time of all threads: steadier than wall time when other processes share the cores.
    cpu_ms = (time.process_time() - cpu_start) * 1000.0 / steps
    averages = prof.key_averages(group_by_input_shape=options.get("byShape", False))
    print(f"step {step_ms:.0f} ms, CPU time {cpu_ms:.0f} ms (means of {steps}, unprofiled); load average {os.getloadavg()[0]:.1f}")
    print(f"totals below are over the {steps} profiled steps")
    print(averages.table(sort_by="self_cpu_time_total", row_limit=options.get("top", 30), max_name_column_width=40))


def main():
    profiling = sys.argv[1] == "--profile"
    job = json.loads(sys.argv[2 if profiling else 1])
    import torch

    device = job["configuration"].get("device") or "cpu"
    sync = None
    if device == "cuda":
        # The orchestrator checked this before (src/peers/torch.ts); a job started by hand gets the same answer.
        if not torch.cuda.is_available():
            return {"kind": "unavailable", "reason": f"PyTorch {torch.__version__}: torch.cuda.is_available() is false"}
        torch.backends.cudnn.benchmark = True
        # Strict FP32, as convkit computes: no TF32 tensor-core shortcuts in cuDNN or cuBLAS.
        torch.backends.cudnn.allow_tf32 = False
        torch.backends.cuda.matmul.allow_tf32 = False
        sync = torch.cuda.synchronize
    else:
        torch.set_num_threads(job["threads"])
    torch.manual_seed(0)
    workload = job["workload"]
    architecture = workload["architecture"]
    batch = workload["batch"]
    height, width, channels = architecture["input"]
    model = build(torch, architecture["layers"], architecture["input"]).to(device)
    x = torch.rand(batch, channels, height, width).to(device)
    params = sum(p.numel() for p in model.parameters())
    if params != job["params"]:
        raise RuntimeError(f"PyTorch model has {params} parameters, the architecture table says {job['params']}")

    if workload["mode"] == "epoch":
        run = epoch_runner(torch, model, workload["data"], batch, device)
    elif workload["mode"] == "train":
        classes = architecture["layers"][-1]["units"]
        y = torch.randint(0, classes, (batch,)).to(device)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
        loss_fn = torch.nn.CrossEntropyLoss()
        model.train()

        def run():
            optimizer.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            optimizer.step()
            loss.item()

        if profiling:
            profile(torch, run, job)
            return None

    else:
        model.eval()

        def run():
            with torch.inference_mode():
                model(x)

    warmup, samples = measure(run, job["policy"], sync)
    if device == "cuda":
        runtime = cuda_runtime(torch)
    else:
        blas = os.environ.get("CONVKIT_BENCH_BLAS", "the system's BLAS")
        runtime = f"PyTorch {torch.__version__} CPU, {torch.get_num_threads()} threads, NCHW, {blas}"
    return {"kind": "ok", "warmupMs": warmup, "samplesMs": samples, "runtime": runtime}


if __name__ == "__main__":
    if sys.argv[1] == "--profile":
        main()
        sys.exit(0)
    try:
        report(main())
    except Exception as error:  # noqa: BLE001 - every failure becomes the cell's reason
        report({"kind": "failed", "reason": f"{type(error).__name__}: {error}"})
