"""Training throughput of the chapter's models: gradstep against PyTorch CPU and hand-written NumPy.

One step = zero the gradients, forward, MSE loss, backward, plain SGD step (lr = 1e-3), all in
float32, on 1,400 samples × 56 features (seeded standard normal) cycled in contiguous batches of
1, 32 or 1,400 (the 24 samples left over at batch 32 are skipped). The three implementations start
from the same weights and are checked to agree after a few steps before anything is timed:

- gradstep: the chapter's builders, ``losses.mse`` and ``optim.SGD``;
- PyTorch:  ``nn.Sequential`` of ``nn.Linear`` and activations, ``nn.MSELoss``, ``torch.optim.SGD``;
- NumPy:    the same forward and backward written out by hand with the engine's kernels (np.dot,
            the same in-place activations): the ceiling for a NumPy engine.

Each (model, batch) case is warmed up, then timed in ``--repeats`` rounds; each round runs every
implementation once, in a rotating order, for at least ``--min-time`` seconds of steps, so drift hits
all alike, and ratios are taken within a round. NumPy's BLAS and PyTorch use the same number of
threads (``--threads``, all cores by default). A case is measured again when other processes kept
the machine busy meanwhile (``--max-load``). Peak memory of a full-batch M4 run is measured in a
fresh process per implementation, and so are the allocator's page faults at full batch.

Run from the repository root:

    .venv/bin/python -m benchmarks.engine             # full run, writes docs/benchmarks.md
    .venv/bin/python -m benchmarks.engine --quick     # fast sanity run, prints only
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import threadpoolctl
import torch

import gradstep as gs
from gradstep import Tensor
from gradstep.tensor import sigmoid

from .docs import write_engine_part

SAMPLES, DAYS = 1_400, 56
LEARNING_RATE = 1e-3
BATCHES = (1, 32, SAMPLES)
IMPLEMENTATIONS = ("gradstep", "pytorch", "numpy")
MEMORY_STEPS = 20
SETTLE = 0.15
GOAL_VS_TORCH = {1: 3.0, 32: 3.0, SAMPLES: 1.0}
GOAL_VS_NUMPY = 1.3
COMMAND = ".venv/bin/python -m benchmarks.engine"
ROOT = Path(__file__).resolve().parent.parent
# glibc keeps freed arrays of up to 32 MiB in the heap (no mmap) and returns memory only above 256 MiB free.
ALLOCATOR_THRESHOLDS = {"MALLOC_MMAP_THRESHOLD_": str(32 << 20), "MALLOC_TRIM_THRESHOLD_": str(256 << 20)}

ENGINE_NOTES = [
    "- One graph node per layer: `Linear.forward` reads y = x Wᵀ + b (three nodes), and a Sequential runs a "
    "Linear and the ReLU, sigmoid or tanh after it as one fused node (`nn/fused.py`, "
    "`functional.linear(..., activation=...)`) that applies the activation in place to the fresh product and "
    "takes f′ from the output in backward. The fused node makes the same NumPy calls as the modules one by one "
    "(∂L/∂W as gᵀx in both), so values and gradients agree bit for bit (tests/nn/test_fused.py); a module "
    "with a forward of its own (a subclass, or one assigned to the instance or the class) is never fused. The "
    "plan is worked out once per model and again only after such an assignment.",
    "- Backward visits nodes newest first from a heap of sequence numbers (no separate topological sort) and "
    "hands each gradient straight to the parameter it belongs to, without copying arrays it owns; gradients "
    "accumulate in place across backward() calls.",
    "- Every matrix product is one np.dot call, including the outer products of batch 1 and of the 1-unit "
    "output layer, where `@` is several times slower.",
    "- Each loss is one node whose gradient is computed only in backward (MSE's value is the dot product "
    "e·e / N); activations work in place with one array per node (σ′ = σ(1 − σ), tanh′ = 1 − tanh², from "
    "the output).",
    "- The optimizer reads its hyperparameters once per step and updates each parameter in place.",
    "- Everything stays in the parameters' dtype: a float32 model creates no float64 array "
    "(tests/test_engine_edges.py::test_float32_training_never_creates_float64_arrays).",
]

MODELS = {
    "M1": ("linear, 56 → 1", lambda: gs.nn.linear_model(DAYS, seed=1)),
    "M2": ("56 → 100 ReLU → 1", lambda: gs.nn.relu_network(DAYS, 100, layers=1, seed=2)),
    "M3": ("56 → 3 × 100 ReLU → 1", lambda: gs.nn.relu_network(DAYS, 100, layers=3, seed=3)),
    "M4": ("56 → 1,000 sigmoid → 1", lambda: gs.nn.sigmoid_network(DAYS, 1000, seed=4)),
}


def dataset(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """x: 1,400 × 56 and y: 1,400 × 1, standard normal float32."""
    rng = np.random.default_rng(seed)
    return (rng.standard_normal((SAMPLES, DAYS), dtype=np.float32),
            rng.standard_normal((SAMPLES, 1), dtype=np.float32))


def batches(x: np.ndarray, y: np.ndarray, size: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Contiguous (x, y) batches of ``size`` rows; a short last batch is dropped."""
    return [(x[i:i + size], y[i:i + size]) for i in range(0, len(x) - size + 1, size)]


def layers_of(model) -> list[tuple[np.ndarray, np.ndarray, str | None]]:
    """(W, b, activation after it) for every Linear of a gradstep Sequential."""
    layers = []
    for module in model:
        if isinstance(module, gs.nn.Linear):
            layers.append([module.weight.data, module.bias.data, None])
        else:
            layers[-1][2] = type(module).__name__.lower()
    return [tuple(layer) for layer in layers]


# ----- the three implementations -------------------------------------------------------------
# Each trainer builds its model from the gradstep model's weights and returns (run, parameters):
# run(steps) trains that many steps on the cycled batches, parameters() lists the weights as arrays.

def training_loop(model, optimizer, mse, cycle):
    """run(steps): the same plain loop for gradstep and PyTorch — zero_grad, forward, MSE, backward, step."""
    def run(steps: int) -> None:
        for _ in range(steps):
            xb, yb = next(cycle)
            optimizer.zero_grad()
            loss = mse(model(xb), yb)
            loss.backward()
            optimizer.step()
    return run


def gradstep_trainer(model_name: str, data: list):
    model = MODELS[model_name][1]()
    optimizer = gs.optim.SGD(model.parameters(), lr=LEARNING_RATE)
    mse = gs.losses.mse
    cycle = itertools.cycle([(Tensor(xb), Tensor(yb)) for xb, yb in data])
    return training_loop(model, optimizer, mse, cycle), lambda: [p.data for p in model.parameters()]


def pytorch_trainer(model_name: str, data: list):
    modules = []
    for w, b, activation in layers_of(MODELS[model_name][1]()):
        linear = torch.nn.Linear(w.shape[1], w.shape[0])
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(w))
            linear.bias.copy_(torch.from_numpy(b))
        modules.append(linear)
        if activation is not None:
            modules.append({"relu": torch.nn.ReLU, "sigmoid": torch.nn.Sigmoid}[activation]())
    model = torch.nn.Sequential(*modules)
    optimizer = torch.optim.SGD(model.parameters(), lr=LEARNING_RATE)
    mse = torch.nn.MSELoss()
    cycle = itertools.cycle([(torch.from_numpy(xb.copy()), torch.from_numpy(yb.copy())) for xb, yb in data])
    return training_loop(model, optimizer, mse, cycle), lambda: [p.detach().numpy() for p in model.parameters()]


def numpy_trainer(model_name: str, data: list):
    """Forward a_l = act(a_{l−1} W_lᵀ + b_l); L = mean (y − t)²; backward by the chain rule; SGD in place.

    Products go to np.dot and activations work in place, as in the engine, so the difference to
    gradstep is the engine's bookkeeping alone.
    """
    layers = [(w.copy(), b.copy(), activation) for w, b, activation in layers_of(MODELS[model_name][1]())]
    cycle = itertools.cycle([(xb.copy(), yb.copy()) for xb, yb in data])

    def step(x: np.ndarray, t: np.ndarray) -> float:
        inputs, outputs = [], []
        a = x
        for w, b, activation in layers:
            inputs.append(a)
            a = np.dot(a, w.T)
            a += b
            if activation == "relu":
                np.maximum(a, 0, out=a)
            elif activation == "sigmoid":
                sigmoid(a, a)
            outputs.append(a)
        e = a - t
        loss = float(np.dot(e.ravel(), e.ravel())) / e.size
        g = e
        g *= 2.0 / e.size
        for index in range(len(layers) - 1, -1, -1):
            w, b, activation = layers[index]
            out = outputs[index]
            if activation == "relu":
                g *= out > 0
            elif activation == "sigmoid":
                g *= out
                g *= 1 - out
            grad_w = np.dot(g.T, inputs[index])
            grad_b = np.add.reduce(g, axis=0)
            if index:
                g = np.dot(g, w)
            w -= LEARNING_RATE * grad_w
            b -= LEARNING_RATE * grad_b
        return loss

    def run(steps: int) -> None:
        for _ in range(steps):
            step(*next(cycle))
    return run, lambda: [array for w, b, _ in layers for array in (w, b)]


TRAINERS = {"gradstep": gradstep_trainer, "pytorch": pytorch_trainer, "numpy": numpy_trainer}


def graph_nodes(model_name: str) -> int:
    """Nodes gradstep records per step: one per Linear (its activation is fused into it) and the loss."""
    return sum(isinstance(module, gs.nn.Linear) for module in MODELS[model_name][1]()) + 1


def check_agreement(x: np.ndarray, y: np.ndarray, steps: int = 5) -> dict[str, float]:
    """Max |θ − θ_gradstep| over all weights after ``steps`` batch-32 steps, per model; fails loudly on a mismatch."""
    worst = {}
    for model_name in MODELS:
        params = {}
        for name, make in TRAINERS.items():
            run, parameters = make(model_name, batches(x, y, 32))
            run(steps)
            params[name] = [np.array(p) for p in parameters()]
        worst[model_name] = max(float(np.max(np.abs(p - q))) for other in ("pytorch", "numpy")
                                for p, q in zip(params[other], params["gradstep"]))
        if worst[model_name] > 1e-5:
            raise SystemExit(f"{model_name}: the implementations disagree by {worst[model_name]:.2e} after {steps} steps")
    return worst


# ----- timing ---------------------------------------------------------------------------------

def seconds(run, steps: int) -> float:
    start = time.perf_counter()
    run(steps)
    return time.perf_counter() - start


def calibrate(run, min_time: float) -> int:
    """Steps that take at least ``min_time`` seconds (running them also warms up)."""
    steps = 1
    while (elapsed := seconds(run, steps)) < min_time / 4:
        steps *= 2
    steps = max(1, int(steps * min_time / elapsed * 1.1) + 1)
    seconds(run, steps)
    return steps


def timed(run, steps: int) -> tuple[float, float]:
    """(ms, page faults) per step over ``steps`` steps."""
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    elapsed = seconds(run, steps)
    return elapsed / steps * 1e3, (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / steps


def measure_case(model_name: str, batch: int, x, y, repeats: int, min_time: float) -> tuple[dict, dict]:
    """ms and page faults per step of every implementation, {name: [one per round]} each, in rotating order.

    Before each timed run the process sleeps ``SETTLE`` seconds and runs a few untimed steps: the
    previous implementation's worker threads keep spinning after their last call (OpenBLAS's for
    about 0.1 s, PyTorch's OpenMP threads for about 10 ms) and would otherwise take a core from the
    next one.
    """
    data = batches(x, y, batch)
    runs = {name: TRAINERS[name](model_name, data)[0] for name in IMPLEMENTATIONS}
    steps = {name: calibrate(run, min_time) for name, run in runs.items()}
    times = {name: [] for name in IMPLEMENTATIONS}
    faults = {name: [] for name in IMPLEMENTATIONS}
    for repeat in range(repeats):
        order = IMPLEMENTATIONS[repeat % 3:] + IMPLEMENTATIONS[:repeat % 3]
        for name in order:
            time.sleep(SETTLE)
            runs[name](max(1, steps[name] // 10))
            ms, page_faults = timed(runs[name], steps[name])
            times[name].append(ms)
            faults[name].append(page_faults)
    return times, faults


def _cpu_seconds() -> tuple[float, float, float]:
    """(CPU seconds all processes have been busy, CPU seconds of this process, wall seconds)."""
    with open("/proc/stat") as f:
        user, nice, system, _idle, _iowait, irq, softirq, steal = map(int, f.readline().split()[1:9])
    own = resource.getrusage(resource.RUSAGE_SELF)
    return ((user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK"),
            own.ru_utime + own.ru_stime, time.perf_counter())


def background_load(start: tuple[float, float, float]) -> float:
    """Cores kept busy by other processes since ``start`` (from ``_cpu_seconds()``)."""
    busy, own, wall = (now - then for now, then in zip(_cpu_seconds(), start))
    return max(0.0, (busy - own) / wall)


def wait_until_idle(max_load: float, patience: float = 300.0) -> None:
    """Sleep until the rest of the machine uses under ``max_load`` cores for 3 s in a row (at most ``patience`` s)."""
    deadline = time.perf_counter() + patience
    quiet = 0
    while quiet < 3 and time.perf_counter() < deadline:
        start = _cpu_seconds()
        time.sleep(1.0)
        quiet = quiet + 1 if background_load(start) < max_load else 0


def measure_case_when_quiet(model_name: str, batch: int, x, y, args) -> tuple[dict, dict, float]:
    """measure_case, repeated (up to ``args.attempts`` times) while other processes load the machine."""
    for attempt in range(args.attempts):
        start = _cpu_seconds()
        times, faults = measure_case(model_name, batch, x, y, args.repeats, args.min_time)
        load = background_load(start)
        if load <= args.max_load or attempt == args.attempts - 1:
            return times, faults, load
        print(f"{model_name} b={batch}: other processes used {load:.2f} cores; waiting for a quiet machine "
              "to measure again", file=sys.stderr, flush=True)
        wait_until_idle(args.max_load)


def paired(numerators: list[float], denominators: list[float]) -> list[float]:
    """numerator / denominator of every round, both timed in the same round."""
    return [a / b for a, b in zip(numerators, denominators)]


def summary(times: dict) -> dict:
    """Medians (ms); the medians of the within-round ratios PyTorch ÷ each and each ÷ NumPy; their (min, max)."""
    to_torch = {name: paired(times["pytorch"], t) for name, t in times.items()}
    to_numpy = {name: paired(t, times["numpy"]) for name, t in times.items()}
    return {"median": {name: statistics.median(t) for name, t in times.items()},
            "vs_torch": {name: statistics.median(r) for name, r in to_torch.items()},
            "vs_numpy": {name: statistics.median(r) for name, r in to_numpy.items()},
            "vs_torch_range": {name: (min(r), max(r)) for name, r in to_torch.items()},
            "vs_numpy_range": {name: (min(r), max(r)) for name, r in to_numpy.items()}}


# ----- child processes: peak memory and the allocator's page faults ---------------------------

def _status() -> dict[str, int]:
    """VmRSS and VmHWM of this process in KiB."""
    with open("/proc/self/status") as f:
        fields = dict(line.split(":", 1) for line in f)
    return {key: int(fields[key].split()[0]) for key in ("VmRSS", "VmHWM")}


def memory_child(name: str) -> dict:
    """Set up a full-batch M4 run, reset the RSS high-water mark, train, and report the peak growth."""
    x, y = dataset()
    run, _ = TRAINERS[name]("M4", batches(x, y, SAMPLES))
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")
    before = _status()["VmRSS"]
    run(MEMORY_STEPS)
    return {"baseline_mib": before / 1024, "peak_growth_mib": (_status()["VmHWM"] - before) / 1024}


def allocator_child(name: str, after: str = "") -> dict:
    """One implementation alone, as in a user's process: [ms, page faults, system ms] per step at full batch for M3 and M4;
    with ``after`` = "pytorch", 20 full-batch PyTorch M4 steps run first in the same process."""
    x, y = dataset()
    if after:
        TRAINERS[after]("M4", batches(x, y, SAMPLES))[0](20)
    results = {}
    for model_name in ("M3", "M4"):
        run, _ = TRAINERS[name](model_name, batches(x, y, SAMPLES))
        steps = calibrate(run, 0.3)
        before = resource.getrusage(resource.RUSAGE_SELF).ru_stime
        ms, faults = timed(run, steps)
        results[model_name] = [ms, faults, (resource.getrusage(resource.RUSAGE_SELF).ru_stime - before) / steps * 1e3]
    return results


ALLOCATOR_SETTINGS = {"default": ((), {}), "thresholds": ((), ALLOCATOR_THRESHOLDS), "after PyTorch": (("pytorch",), {})}
ALLOCATOR_ROUNDS = 3


def measure_allocator(threads: int, rounds: int = ALLOCATOR_ROUNDS) -> dict:
    """allocator_child for every implementation and setting of ``ALLOCATOR_SETTINGS``: per round, each
    implementation's settings one after another, in an order rotating between rounds (so a slow spell of
    the machine hits the settings alike). ms: the fastest process (slow spells only add time); page faults
    and system ms: the median."""
    runs = {setting: {name: [] for name in IMPLEMENTATIONS} for setting in ALLOCATOR_SETTINGS}
    settings = list(ALLOCATOR_SETTINGS)
    for round_ in range(rounds):
        for name in IMPLEMENTATIONS:
            for setting in settings[round_ % len(settings):] + settings[:round_ % len(settings)]:
                extra, env = ALLOCATOR_SETTINGS[setting]
                runs[setting][name].append(run_child("allocator", threads, name, *extra, env=env))
    return {setting: {model_name: {name: [(min if i == 0 else statistics.median)(r[model_name][i] for r in by_name[name])
                                          for i in range(3)]
                                   for name in IMPLEMENTATIONS} for model_name in ("M3", "M4")}
            for setting, by_name in runs.items()}


def run_child(kind: str, threads: int, *arguments: str, env: dict | None = None) -> dict:
    """Run ``--child kind arguments…`` in a fresh interpreter and return the JSON it prints."""
    command = [sys.executable, "-m", "benchmarks.engine", "--threads", str(threads), "--child", kind, *arguments]
    output = subprocess.run(command, cwd=ROOT, check=True, capture_output=True, text=True, env=dict(os.environ, **(env or {})))
    return json.loads(output.stdout.strip().splitlines()[-1])


# ----- kernel measurements behind the limits ---------------------------------------------------

def best_of(function, number: int, repeats: int = 7) -> float:
    """Fastest mean time of ``number`` calls, in µs."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(number):
            function()
        best = min(best, time.perf_counter() - start)
    return best / number * 1e6


def kernel_limits() -> dict[str, float]:
    """µs of the single operations the limits come down to, NumPy against PyTorch."""
    rng = np.random.default_rng(0)
    z = rng.standard_normal((SAMPLES, 1000), dtype=np.float32)
    out = np.empty_like(z)
    column, row = rng.standard_normal((SAMPLES, 1), dtype=np.float32), rng.standard_normal((1, 1000), dtype=np.float32)
    tz, tcolumn, trow = torch.from_numpy(z), torch.from_numpy(column), torch.from_numpy(row)
    small, tsmall = np.ones(4, np.float32), torch.ones(4)
    return {
        "numpy_sigmoid": best_of(lambda: sigmoid(z, out), 20),
        "torch_sigmoid": best_of(lambda: torch.sigmoid(tz), 20),
        "numpy_exp": best_of(lambda: np.exp(z, out=out), 20),
        "numpy_outer_dot": best_of(lambda: np.dot(column, row), 20),
        "numpy_outer_matmul": best_of(lambda: column @ row, 20),
        "torch_outer_mm": best_of(lambda: torch.mm(tcolumn, trow), 20),
        "numpy_tiny_add": best_of(lambda: small + small, 20000),
        "torch_tiny_add": best_of(lambda: tsmall + tsmall, 20000),
    }


# ----- the machine ----------------------------------------------------------------------------

def machine(threads: int) -> list[str]:
    cpu = "unknown"
    flags = set()
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name") and cpu == "unknown":
                cpu = line.split(":", 1)[1].strip()
            elif line.startswith("flags") and not flags:
                flags = set(line.split(":", 1)[1].split())
    simd = "AVX-512" if "avx512f" in flags else "AVX2" if "avx2" in flags else "SSE"
    blas = [info for info in threadpoolctl.threadpool_info() if info["user_api"] == "blas"]
    blas_text = "; ".join(f"{info['internal_api']} {info['version']} ({info.get('architecture', '?')} kernel, "
                          f"{info['num_threads']} threads by default)" for info in blas) or "none found"
    tuning = {key: value for key, value in os.environ.items() if key.startswith(("OPENBLAS", "MALLOC_", "OMP_"))}
    try:
        hugepages = Path("/sys/kernel/mm/transparent_hugepage/enabled").read_text().strip()
    except OSError:
        hugepages = "unknown"
    return [
        f"- CPU: {cpu} ({simd}), {os.cpu_count()} cores; threads used: {threads} (NumPy's BLAS and PyTorch alike)",
        f"- NumPy {np.__version__}, BLAS: {blas_text}",
        f"- PyTorch {torch.__version__} (BLAS: {'MKL' if torch.backends.mkl.is_available() else 'other'}, "
        f"oneDNN: {torch.backends.mkldnn.is_available()}), torch.get_num_threads() = {torch.get_num_threads()}",
        f"- gradstep {gs.__version__}, Python {platform.python_version()}, {' '.join(platform.libc_ver())}, "
        f"Linux {platform.release()}, transparent huge pages: {hugepages}",
        f"- OPENBLAS_* / MALLOC_* / OMP_* environment: {tuning or 'none set'}",
    ]


# ----- report ---------------------------------------------------------------------------------

def bookkeeping_per_node(results: dict) -> float | None:
    """µs per graph node: least squares through the origin of gradstep − NumPy against the nodes, at batch 1."""
    points = []
    for (model_name, batch), r in results.items():
        if batch == 1:
            medians = summary(r["times"])["median"]
            points.append((graph_nodes(model_name), (medians["gradstep"] - medians["numpy"]) * 1e3))
    if not points:
        return None
    return sum(n * extra for n, extra in points) / sum(n * n for n, _ in points)


def goal_lines(results: dict, kernels: dict) -> tuple[list[str], list[str], list[str]]:
    """The goals table, the explained misses against PyTorch, and those against the hand-written NumPy."""
    table = ["| model | batch | gradstep × PyTorch [rounds] | goal | gradstep ÷ NumPy [rounds] | goal | NumPy × PyTorch "
             "| gradstep − NumPy (µs/step) | other processes (cores) |", "|---|---:|---:|---|---:|---|---:|---:|---:|"]
    torch_misses, numpy_misses = [], []
    for (model_name, batch), r in results.items():
        s = summary(r["times"])
        speedup, slowdown, ceiling = s["vs_torch"]["gradstep"], s["vs_numpy"]["gradstep"], s["vs_torch"]["numpy"]
        extra = (s["median"]["gradstep"] - s["median"]["numpy"]) * 1e3
        goal = GOAL_VS_TORCH[batch]
        (fast, fast_high), (slow, slow_high) = s["vs_torch_range"]["gradstep"], s["vs_numpy_range"]["gradstep"]
        table.append(f"| {model_name} | {batch:,} | {speedup:.2f} [{fast:.2f}–{fast_high:.2f}] | "
                     f"{'met' if speedup >= goal else 'missed'} (≥ {goal:g}) | {slowdown:.2f} [{slow:.2f}–{slow_high:.2f}] | "
                     f"{'met' if slowdown <= GOAL_VS_NUMPY else 'missed'} (≤ {GOAL_VS_NUMPY}) | {ceiling:.2f} | "
                     f"{extra:.1f} | {r['load']:.2f} |")
        case = f"- {model_name}, batch {batch:,}: gradstep {speedup:.2f}× PyTorch"
        if speedup < goal and ceiling >= goal:
            torch_misses.append(f"{case}, the hand-written NumPy {ceiling:.2f}×: gradstep takes {extra:,.0f} µs per "
                                f"step more than the hand-written code ({slowdown:.2f}×)"
                                + (", its bookkeeping (below)." if batch < SAMPLES else "."))
        elif speedup < goal:
            reason = (f"{case}. The hand-written NumPy step is {ceiling:.2f}× PyTorch ({s['median']['numpy']:.3f} "
                      f"against {s['median']['pytorch']:.3f} ms), below the goal too: the NumPy calls themselves are "
                      "the limit, so no NumPy engine reaches it here")
            if batch == SAMPLES and kernels:
                reason += (f"; NumPy's elementwise ufuncs run on one thread where PyTorch's use every core (σ of "
                           f"1,400 × 1,000: {kernels['numpy_sigmoid']:,.0f} µs against {kernels['torch_sigmoid']:,.0f} µs)")
            faults = statistics.median(r["faults"]["gradstep"])
            if faults >= 50:
                reason += (f"; and glibc gave freed arrays back to the kernel, {faults:,.0f} page faults per step "
                           "(see the allocator below)")
            if slowdown > 1.05:
                reason += f". gradstep adds {extra:,.0f} µs per step to the hand-written code's time ({slowdown:.2f}×)"
            torch_misses.append(reason + ".")
        if slowdown > GOAL_VS_NUMPY:
            numpy_misses.append(f"- {model_name}, batch {batch:,}: {slowdown:.2f}×, {extra:.1f} µs on top of "
                                f"{s['median']['numpy'] * 1e3:.1f} µs of NumPy calls ({graph_nodes(model_name)} nodes)")
    return table, torch_misses, numpy_misses


def report(results: dict, memory: dict, allocator: dict, kernels: dict, agreement: dict,
           machine_lines: list[str], args) -> str:
    lines = ["# Benchmarks: gradstep against PyTorch CPU and hand-written NumPy", "",
             "Reproduce (from the repository root, with the other cores as idle as possible):", "",
             "```", COMMAND, "```", "",
             f"One step = zero_grad, forward, MSE loss, backward, SGD step (lr = {LEARNING_RATE}), float32, "
             f"{SAMPLES:,} samples × {DAYS} features cycled in contiguous batches. ms/step is the median "
             f"[min–max] of {args.repeats} interleaved rounds of ≥ {args.min_time} s each, after a warm-up. "
             "“× PyTorch” is PyTorch's time ÷ this one (higher is faster); “÷ NumPy” is this time ÷ the "
             "hand-written NumPy time (1.0 = as fast as the ceiling); both are medians of the ratios within "
             "a round. The hand-written NumPy uses the engine's kernels (np.dot, in-place activations), so "
             "“÷ NumPy” measures the engine's bookkeeping alone. Page faults are per step (median). The "
             "goals table gives each ratio's range over the rounds [min–max]; a goal inside that range is met in "
             "some rounds and missed in others. On this shared virtual machine the full-batch rows also move "
             "most from one run to the next.", "",
             "## Machine", "", *machine_lines, "",
             "## Training throughput", "",
             "| model | batch | implementation | ms/step median [min–max] | samples/s | × PyTorch | ÷ NumPy | page faults |",
             "|---|---:|---|---:|---:|---:|---:|---:|"]
    for (model_name, batch), r in results.items():
        times, s = r["times"], summary(r["times"])
        for name in IMPLEMENTATIONS:
            median = s["median"][name]
            lines.append(f"| {model_name} {MODELS[model_name][0]} | {batch:,} | {name} | "
                         f"{median:.4f} [{min(times[name]):.4f}–{max(times[name]):.4f}] | {batch / median * 1e3:,.0f} | "
                         f"{s['vs_torch'][name]:.2f} | {s['vs_numpy'][name]:.2f} | {statistics.median(r['faults'][name]):,.0f} |")
    table, torch_misses, numpy_misses = goal_lines(results, kernels)
    lines += ["", "## Goals", "",
              f"gradstep ≥ 3× PyTorch's throughput at batch 1 and 32 and ≥ 1× at full batch; gradstep's time "
              f"≤ {GOAL_VS_NUMPY}× the hand-written NumPy's; peak memory no higher than PyTorch's. “NumPy × "
              "PyTorch” is the ceiling a NumPy engine could reach against PyTorch.", "", *table]
    if memory:
        met = memory["gradstep"]["peak_growth_mib"] <= memory["pytorch"]["peak_growth_mib"]
        lines += ["", "## Peak memory of a full-batch M4 run", "",
                  f"Each implementation in a fresh process: imports, data, model and batches are set up, the "
                  f"resident-set high-water mark is reset (`/proc/self/clear_refs` ← 5), {MEMORY_STEPS} full-batch "
                  "steps run, and the peak growth is VmHWM − VmRSS before the steps, so import and setup memory "
                  "are left out and every implementation is measured the same way.", ""]
        lines += [f"- {name}: {memory[name]['peak_growth_mib']:.1f} MiB above a baseline of "
                  f"{memory[name]['baseline_mib']:.0f} MiB" for name in IMPLEMENTATIONS]
        lines += ["", f"Goal (gradstep ≤ PyTorch): {'met' if met else 'missed'}."]
    lines += ["", "## Missed goals and their measured limits", ""]
    if not (torch_misses or numpy_misses):
        lines.append("None: every goal is met in this run.")
    if torch_misses:
        lines += ["Against PyTorch:", "", *torch_misses, ""]
    if numpy_misses:
        per_node = bookkeeping_per_node(results)
        cost = (f" It comes to about {per_node:.1f} µs per graph node, a node being a layer with its two "
                "parameters or the loss (least squares over the batch-1 rows)." if per_node else "")
        lines += ["Against the hand-written NumPy: gradstep's bookkeeping is a fixed Python cost per step — the "
                  "module calls, a Tensor and a closure per node, the walk over the graph in backward, handing "
                  "each gradient to its parameter, the optimizer loop." + cost + " Where the NumPy work of a step "
                  "is a few dozen µs, it cannot hide behind the arithmetic:", "", *numpy_misses]
    if kernels:
        lines += ["", "### Kernels", "",
                  "Single operations on this machine (µs, best of 7):", "",
                  "| operation | NumPy | PyTorch |", "|---|---:|---:|",
                  f"| σ(z), 1,400 × 1,000 float32 (NumPy: the engine's exp-based kernel, in place) | "
                  f"{kernels['numpy_sigmoid']:,.0f} (its exp alone: {kernels['numpy_exp']:,.0f}) | {kernels['torch_sigmoid']:,.0f} |",
                  f"| (1,400 × 1) @ (1 × 1,000), an inner dimension of 1 | np.dot {kernels['numpy_outer_dot']:,.0f}, "
                  f"@ {kernels['numpy_outer_matmul']:,.0f} | {kernels['torch_outer_mm']:,.0f} |",
                  f"| a + b on 4 floats (the cost of one tiny operation) | {kernels['numpy_tiny_add']:.2f} | "
                  f"{kernels['torch_tiny_add']:.2f} |", "",
                  "NumPy's ufuncs run on one thread, PyTorch's on all of them; gradstep uses np.dot for every "
                  "matrix product because @ is several times slower for an inner dimension of 1. At batch ≤ 32 "
                  "the cost of a tiny operation decides, and PyTorch's dispatcher costs several NumPy calls per "
                  "operation: that is where gradstep's lead comes from."]
    if allocator:
        lines += ["", "### The allocator at full batch", "",
                  "Each implementation alone in a fresh process, as in a user's: ms, page faults and system-time ms "
                  f"per step at full batch over {ALLOCATOR_ROUNDS} processes per setting (ms: the fastest, as slow "
                  "spells of the machine only add time; the others: the median), the settings alternated: glibc's "
                  "default thresholds; " +
                  " ".join(f"`{key}={value}`" for key, value in ALLOCATOR_THRESHOLDS.items()) +
                  " set at start-up (freed arrays of up to 32 MiB stay in the heap for the next step); and the "
                  "defaults after 20 full-batch PyTorch M4 steps in the same process. By default glibc may give "
                  "freed multi-MB arrays back to the kernel, and every page is then faulted in, zeroed, on the next "
                  "step; its thresholds adapt to the blocks freed so far, so what ran before in the process matters.",
                  "", "| model | implementation | " + " | ".join(f"{setting}: ms | faults | system ms"
                                                              for setting in ALLOCATOR_SETTINGS) + " |",
                  "|---|---|" + "---:|---:|---:|" * len(ALLOCATOR_SETTINGS)]
        for model_name in ("M3", "M4"):
            for name in IMPLEMENTATIONS:
                cells = " | ".join("{:.2f} | {:,.0f} | {:.2f}".format(*allocator[setting][model_name][name])
                                   for setting in ALLOCATOR_SETTINGS)
                lines.append(f"| {model_name} | {name} | {cells} |")
        alone, tuned, shared = (allocator[setting]["M4"]["gradstep"] for setting in ALLOCATOR_SETTINGS)
        lines += ["", f"Alone with the defaults, gradstep's full-batch M4 step takes {alone[0]:.2f} ms and pays "
                  f"{alone[1]:,.0f} page faults and {alone[2]:.2f} ms of system time; with the thresholds "
                  f"{tuned[0]:.2f} ms, {tuned[1]:,.0f} and {tuned[2]:.2f} ms; after PyTorch ran in the process "
                  f"{shared[0]:.2f} ms, {shared[1]:,.0f} and {shared[2]:.2f} ms. The interleaved table above "
                  "shares one process with PyTorch, so it shows NumPy and gradstep at full batch with the faults "
                  "mostly gone; a process running gradstep alone pays them unless the thresholds are set. gradstep "
                  "leaves the allocator alone: the thresholds are process-wide and read from the environment at "
                  "start-up, so they are the user's choice (export both variables before starting Python)."]
    lines += ["", "## What the engine does for speed", "", *ENGINE_NOTES]
    lines += ["", "## Agreement", "",
              "Before timing, each model trains 5 batch-32 steps in all three implementations from the same "
              "weights; the largest |θ − θ_gradstep| over all weights: "
              + ", ".join(f"{name} {value:.1e}" for name, value in agreement.items()) + "."]
    return "\n".join(lines) + "\n"


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="2 rounds of ≥ 0.05 s, no child processes or kernel timings, writes nothing unless --out")
    parser.add_argument("--repeats", type=int, default=9, help="interleaved rounds per case")
    parser.add_argument("--min-time", type=float, default=0.15, help="seconds of steps per implementation and round")
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--max-load", type=float, default=0.1,
                        help="measure a case again when other processes kept more than this many cores busy")
    parser.add_argument("--attempts", type=int, default=5, help="measurements of a case at most (see --max-load)")
    parser.add_argument("--models", nargs="+", default=list(MODELS), choices=list(MODELS))
    parser.add_argument("--batches", nargs="+", type=int, default=list(BATCHES), choices=list(BATCHES))
    parser.add_argument("--out", type=Path, help="markdown report (default docs/benchmarks.md, none with --quick)")
    parser.add_argument("--json", type=Path, help="also write each case's medians and ratios as JSON "
                        "(for benchmarks.compare)")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    threadpoolctl.threadpool_limits(args.threads, user_api="blas")
    if args.child:
        kind, *name = args.child
        print(json.dumps((memory_child if kind == "memory" else allocator_child)(*name)))
        return
    if args.quick:
        args.repeats, args.min_time = 2, 0.05
    elif args.out is None:
        args.out = ROOT / "docs" / "benchmarks.md"
    if any(key in os.environ for key in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")):
        print("warning: OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE are set and can slow NumPy; run with "
              "`env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE` to benchmark without them", file=sys.stderr)

    x, y = dataset()
    machine_lines = machine(args.threads)
    print("\n".join(machine_lines), flush=True)
    agreement = check_agreement(x, y)
    results = {}
    wait_until_idle(args.max_load)
    print(f"{'case':<12} {'gradstep':>10} {'pytorch':>10} {'numpy':>10}   ms/step medians; "
          "gradstep × PyTorch, ÷ NumPy", flush=True)
    for model_name in args.models:
        for batch in args.batches:
            times, faults, load = measure_case_when_quiet(model_name, batch, x, y, args)
            results[model_name, batch] = {"times": times, "faults": faults, "load": load}
            s = summary(times)
            print(f"{model_name} b={batch:<7} " + " ".join(f"{s['median'][n]:10.4f}" for n in IMPLEMENTATIONS)
                  + f"   ×{s['vs_torch']['gradstep']:5.2f} ÷{s['vs_numpy']['gradstep']:5.2f}"
                  f"   (other processes: {load:.2f} cores)", flush=True)
    memory, allocator, kernels = {}, {}, {}
    if not args.quick:
        kernels = kernel_limits()
        memory = {name: run_child("memory", args.threads, name) for name in IMPLEMENTATIONS}
        allocator = measure_allocator(args.threads)
        for name in IMPLEMENTATIONS:
            print(f"peak memory growth, full-batch M4, {name}: {memory[name]['peak_growth_mib']:.1f} MiB")
    if args.json is not None:
        cases = {f"{model} b={batch}": summary(found["times"]) for (model, batch), found in results.items()}
        args.json.write_text(json.dumps({"machine": machine_lines, "gradstep": gs.__file__, "cases": cases}, indent=1))
        print(f"wrote {args.json}")
    if args.out is not None:
        write_engine_part(args.out, report(results, memory, allocator, kernels, agreement, machine_lines, args))
        print(f"wrote {args.out}")

if __name__ == "__main__":
    main()
