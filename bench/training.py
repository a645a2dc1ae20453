"""Training speed: the engine's trainer beside a straightforward NumPy loop and PyTorch, in one run.

    python bench/training.py

Prints, measured side by side (rounds interleaved, so a busy moment of the shared
machine hits every contender alike): steps per second of the default net (digits
standardized, 64-128-128-128-10, ReLU, Kaiming, Adam 1e-3, batch 64) for
- a float64 loop in the style of the CS231n assignments (dict of parameters,
  affine/relu/softmax functions that allocate, Adam per parameter, the L2 term
  computed even at reg = 0, OpenBLAS's default threads as in a user's own Python),
- PyTorch on the CPU, same net, batch and optimizer (skipped when torch is absent;
  it is never a dependency), with its default threads and with one,
- the engine's trainer (float32, one BLAS thread), recording off and at the default
  interval;
then what recording costs, what the default view takes to show a result, the
work-budget estimate beside the measurement for a few nets, and the issue's goals.
"""

from __future__ import annotations

import itertools
import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import with_default_blas_threads  # noqa: E402
from engine.runtime import tune_runtime  # noqa: E402
from engine.train.data import load  # noqa: E402
from engine.train.net import Workspace, evaluate_loss, loss_and_grad, predict  # noqa: E402
from engine.train.optim import OPTIMIZERS, working_moments  # noqa: E402
from engine.train.record import hidden_activity, weight_summary  # noqa: E402
from engine.train.trainer import TrainConfig, advance, estimate_cost, init_state  # noqa: E402

DEFAULT = TrainConfig()
ROUNDS = 30


# ---- The reference: CS231n assignment style, float64 -------------------------------------------


def affine_forward(x, w, b):
    out = x.reshape(x.shape[0], -1).dot(w) + b
    return out, (x, w, b)


def affine_backward(dout, cache):
    x, w, _ = cache
    dx = dout.dot(w.T).reshape(x.shape)
    dw = x.reshape(x.shape[0], -1).T.dot(dout)
    db = np.sum(dout, axis=0)
    return dx, dw, db


def relu_forward(x):
    return np.maximum(0, x), x


def relu_backward(dout, cache):
    return dout * (cache > 0)


def softmax_loss(x, y):
    shifted = x - np.max(x, axis=1, keepdims=True)
    z = np.sum(np.exp(shifted), axis=1, keepdims=True)
    log_probs = shifted - np.log(z)
    probs = np.exp(log_probs)
    n = x.shape[0]
    loss = -np.sum(log_probs[np.arange(n), y]) / n
    dx = probs.copy()
    dx[np.arange(n), y] -= 1
    dx /= n
    return loss, dx


def reference_loss(params, x, y, depth, reg=0.0):
    caches, h = [], x
    for i in range(depth - 1):
        h, fc = affine_forward(h, params[f"W{i}"], params[f"b{i}"])
        h, rc = relu_forward(h)
        caches.append((fc, rc))
    scores, fc = affine_forward(h, params[f"W{depth - 1}"], params[f"b{depth - 1}"])
    loss, dscores = softmax_loss(scores, y)
    grads = {}
    dh, grads[f"W{depth - 1}"], grads[f"b{depth - 1}"] = affine_backward(dscores, fc)
    for i in range(depth - 2, -1, -1):
        fc, rc = caches[i]
        dh, grads[f"W{i}"], grads[f"b{i}"] = affine_backward(relu_backward(dh, rc), fc)
    for i in range(depth):
        loss += 0.5 * reg * np.sum(params[f"W{i}"] * params[f"W{i}"])
        grads[f"W{i}"] += reg * params[f"W{i}"]
    return loss, grads


def adam(w, dw, config):
    config.setdefault("learning_rate", 1e-3)
    config.setdefault("beta1", 0.9)
    config.setdefault("beta2", 0.999)
    config.setdefault("epsilon", 1e-8)
    config.setdefault("m", np.zeros_like(w))
    config.setdefault("v", np.zeros_like(w))
    config.setdefault("t", 0)
    config["t"] += 1
    config["m"] = config["beta1"] * config["m"] + (1 - config["beta1"]) * dw
    config["v"] = config["beta2"] * config["v"] + (1 - config["beta2"]) * dw**2
    mb = config["m"] / (1 - config["beta1"] ** config["t"])
    vb = config["v"] / (1 - config["beta2"] ** config["t"])
    return w - config["learning_rate"] * mb / (np.sqrt(vb) + config["epsilon"]), config


def reference_trainer(cfg: TrainConfig) -> Callable[[int], None]:
    """CS231n Solver-style training of cfg's ReLU net with Adam, float64: returns run(steps)."""
    data = load(cfg.dataset, cfg.prep, cfg.val_fraction, cfg.seed)
    x, y = data.x_train, data.y_train
    sizes = (x.shape[1], *cfg.hidden, data.classes)
    rng = np.random.default_rng(cfg.seed)
    params = {}
    for i, (din, dout) in enumerate(itertools.pairwise(sizes)):
        params[f"W{i}"] = rng.standard_normal((din, dout)) * np.sqrt(2.0 / din)
        params[f"b{i}"] = np.zeros(dout)
    configs = {k: {"learning_rate": cfg.lr} for k in params}
    loss_history = []

    def run(steps: int) -> None:
        for _ in range(steps):
            idx = rng.choice(len(y), cfg.batch)
            loss, grads = reference_loss(params, x[idx], y[idx], len(sizes) - 1)
            loss_history.append(loss)
            for k in params:
                params[k], configs[k] = adam(params[k], grads[k], configs[k])

    return run


# ---- PyTorch, when present ---------------------------------------------------------------------


def torch_trainer(cfg: TrainConfig, threads: int | None) -> Callable[[int], None] | None:
    try:
        import torch
    except ImportError:
        return None
    data = load(cfg.dataset, cfg.prep, cfg.val_fraction, cfg.seed, dtype="float32")
    x, y = torch.from_numpy(data.x_train.copy()), torch.from_numpy(data.y_train.copy())
    sizes = (x.shape[1], *cfg.hidden, data.classes)
    torch.manual_seed(cfg.seed)
    layers = []
    for din, dout in itertools.pairwise(sizes):
        layers += [torch.nn.Linear(din, dout), torch.nn.ReLU()]
    model = torch.nn.Sequential(*layers[:-1])
    opt = torch.optim.Adam(model.parameters(), lr=cfg.lr)
    default_threads = torch.get_num_threads()

    def run(steps: int) -> None:
        torch.set_num_threads(threads or default_threads)
        for _ in range(steps):
            idx = torch.randint(len(y), (cfg.batch,))
            opt.zero_grad(set_to_none=True)
            loss = torch.nn.functional.cross_entropy(model(x[idx]), y[idx])
            loss.backward()
            opt.step()
        torch.set_num_threads(default_threads)

    return run


# ---- The engine --------------------------------------------------------------------------------


def engine_trainer(cfg: TrainConfig) -> Callable[[int], None]:
    holder = {"state": advance(init_state(cfg), 20)}

    def run(steps: int) -> None:
        holder["state"] = advance(holder["state"], steps)

    return run


def floor_trainer(cfg: TrainConfig) -> Callable[[int], None]:
    """A floor for any NumPy step of cfg's net: its matrix products and the optimizer's vector passes only.

    The eleven products of the forward and backward pass (the engine's own calls, into
    preallocated buffers) and the engine's Adam update on the flat vector; no bias, no
    activation, no loss, no minibatch: what a step costs before any of its other work.
    """
    state = advance(init_state(cfg), 20)
    net = state.net
    theta, grad = state.params.copy(), np.empty_like(state.params)
    p, g = net.views(theta), net.views(grad)
    moments = working_moments(cfg.optimizer, state.moments, theta.size, theta.dtype)
    update = OPTIMIZERS[cfg.optimizer].update
    x = state.data.x_train[: cfg.batch]
    sizes = net.arch.sizes
    h = [x] + [np.zeros((cfg.batch, d), theta.dtype) for d in sizes[1:]]
    dh = [np.zeros((cfg.batch, d), theta.dtype) for d in sizes]
    layers = range(net.arch.depth)

    def run(steps: int) -> None:  # one BLAS thread: tune_runtime() set it for the process
        for t in range(steps):
            for i in layers:
                np.dot(h[i], p.w[i], out=h[i + 1])
            for i in reversed(layers):
                np.dot(h[i].T, dh[i + 1], out=g.w[i])
                if i:
                    np.dot(dh[i + 1], p.w[i].T, out=dh[i])
            update(theta, grad, moments, t + 1, cfg.lr)

    return run


def side_by_side(
    contenders: list[tuple[str, Callable[[int], None]]],
    seconds: float = 0.05,
    rounds: int = ROUNDS,
    cpu: dict[str, list[float]] | None = None,
) -> dict[str, list[float]]:
    """Wall seconds per step of each contender, in interleaved rounds of about `seconds` each.

    Each contender's steps per round come from a warm-up, so a slow one takes as long per
    round as a fast one, and a busy spell of the machine hits all of them alike. `cpu`, if
    given, receives the CPU seconds per step of the calling thread, which is where
    single-threaded contenders do all their work: unlike wall time, it leaves out the
    waits for a core that the other processes of a shared machine cause.
    """
    counts = {}
    for name, run in contenders:
        run(3)  # imports, first allocations
        start = time.perf_counter()
        run(5)
        counts[name] = max(1, int(seconds / ((time.perf_counter() - start) / 5)))
    times: dict[str, list[float]] = {name: [] for name, _ in contenders}
    if cpu is not None:
        cpu.update({name: [] for name, _ in contenders})
    for _ in range(rounds):
        for name, run in contenders:
            start, start_cpu = time.perf_counter(), time.thread_time()
            run(counts[name])
            times[name].append((time.perf_counter() - start) / counts[name])
            if cpu is not None:
                cpu[name].append((time.thread_time() - start_cpu) / counts[name])
    return times


def paired(times: dict[str, list[float]], name: str, reference: str) -> float:
    """Median over the rounds of reference time / name's time: a ratio of neighbours in time."""
    return statistics.median(r / t for r, t in zip(times[reference], times[name]))


def print_rates(
    title: str, times: dict[str, list[float]], reference: str, cpu: dict[str, list[float]] | None = None
) -> None:
    print(f"\n{title}")
    print(
        "  steps/s: median of the rounds; x ref: median of the rounds' ratios to the first row"
        + ("; cpu: the same in CPU time" if cpu else "")
    )
    header = f"  {'':<52} {'steps/s':>8} {'x ref':>6} {'best/s':>8} {'x ref':>6}"
    print(header + (f" {'cpu/s':>8} {'x ref':>6}" if cpu else ""))
    ref_best = min(times[reference])
    for name, t in times.items():
        median, best = statistics.median(t), min(t)
        line = f"  {name:<52} {1 / median:8.0f} {paired(times, name, reference):6.2f} {1 / best:8.0f}"
        line += f" {ref_best / best:6.2f}"
        if cpu:
            line += f" {1 / statistics.median(cpu[name]):8.0f} {paired(cpu, name, reference):6.2f}"
        print(line)


REF_DEFAULT = "CS231n-style loop, float64, default BLAS threads"
REF_ONE = "CS231n-style loop, float64, one BLAS thread"
OFF = "engine, float32, recording off"
ON = f"engine, float32, record every {DEFAULT.record_every} (default)"
ON_64 = f"engine, float64, record every {DEFAULT.record_every}"
TORCH_ONE, TORCH_DEFAULT = "PyTorch CPU, 1 thread", "PyTorch CPU, default threads"
FLOOR = "floor: the 11 matrix products and Adam's passes only"
NET = "Default net: digits standardized, 64-128-128-128-10, ReLU, Adam 1e-3, batch 64"


def speed() -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """Single-threaded contenders first (the fair comparison), then the default threads as a user runs them.

    Two blocks, because threads that spin after their work (OpenBLAS's, PyTorch's OpenMP
    pool) would slow whichever contender runs next in an interleaved round. Returns the
    first block's wall and CPU times.
    """
    single = [(REF_ONE, reference_trainer(DEFAULT))]
    run = torch_trainer(DEFAULT, 1)
    if run is None:
        print("\n(PyTorch not installed: its rows are skipped)")
    else:
        single.append((TORCH_ONE, run))
    single += [
        (FLOOR, floor_trainer(DEFAULT)),
        (OFF, engine_trainer(replace(DEFAULT, record_every=1000))),
        (ON, engine_trainer(DEFAULT)),
        (ON_64, engine_trainer(replace(DEFAULT, dtype="float64"))),
    ]
    cpu: dict[str, list[float]] = {}
    times = side_by_side(single, cpu=cpu)
    print_rates(f"{NET}: one thread each", times, REF_ONE, cpu)
    threaded = [(REF_DEFAULT, with_threads(reference_trainer(DEFAULT)))]
    run = torch_trainer(DEFAULT, None)
    if run is not None:
        threaded.append((TORCH_DEFAULT, run))
    threaded.append((ON, engine_trainer(DEFAULT)))
    print_rates(
        f"{NET}: the loop and PyTorch with their default threads (wall time only: their threads are not this one)",
        side_by_side(threaded, rounds=9),
        REF_DEFAULT,
    )
    return times, cpu


def with_threads(run: Callable[[int], None]) -> Callable[[int], None]:
    def threaded(steps: int) -> None:
        with_default_blas_threads(lambda: run(steps))()

    return threaded


def recording(cpu: dict[str, list[float]]) -> float:
    """What a record point costs, its pieces timed in the same interleaved rounds as plain steps.

    The pieces cycle through eight different minibatches: replaying one would let the
    branch predictor learn np.partition's comparisons (the percentiles) and time them
    about 3x too fast. Returns the whole record's share of training time, the default
    interval against none, timed side by side (median of the rounds' ratios, CPU time).
    """
    state = advance(init_state(DEFAULT), 20)
    net, data = state.net, state.data
    theta, grad = state.params.copy(), np.empty_like(state.params)
    n = DEFAULT.batch
    passes = [
        loss_and_grad(
            net, theta, grad, data.x_train[i * n : (i + 1) * n], data.y_train[i * n : (i + 1) * n], 0.0, Workspace()
        )
        for i in range(8)
    ]
    plain = engine_trainer(replace(DEFAULT, record_every=1000))
    turn = itertools.cycle(passes)

    def stats(points: int) -> None:
        for _ in range(points):
            ps = next(turn)
            hidden_activity(ps.outputs, ps.grads, DEFAULT.activation)

    def weights(points: int) -> None:
        for _ in range(points):
            for w in net.views(theta).w:
                weight_summary(w).after(w)

    def validation(points: int) -> None:
        for _ in range(points):
            evaluate_loss(predict(net, theta, data.x_val, state.running), data.y_val)

    pieces_cpu: dict[str, list[float]] = {}
    side_by_side([("step", plain), ("stats", stats), ("weights", weights), ("validation", validation)], cpu=pieces_cpu)
    step, per_stats, per_weights, per_val = (statistics.median(pieces_cpu[k]) for k in pieces_cpu)
    every = DEFAULT.record_every
    print(f"\nRecording, default interval {every} steps (CPU time, medians of interleaved rounds):")
    print(
        f"  one step {1000 * step:.3f} ms; one record point: per-layer statistics {1000 * per_stats:.3f} ms,"
        f" weights {1000 * per_weights:.3f} ms, validation on {len(data.y_val)} examples {1000 * per_val:.3f} ms"
    )
    shares = [x / (every * step) for x in (per_stats, per_weights, per_val)]
    print(
        "  share of training time at this interval: statistics {:.0%}, weights {:.0%}, validation {:.0%},"
        " together {:.0%}".format(*shares, sum(shares))
    )
    alone: dict[str, list[float]] = {}
    side_by_side([(OFF, engine_trainer(replace(DEFAULT, record_every=1000))), (ON, engine_trainer(DEFAULT))], cpu=alone)
    whole, in_block = paired(alone, OFF, ON) - 1, paired(cpu, OFF, ON) - 1
    print(f"  whole record, record every {every} against off, the two alone in their rounds: {whole:+.0%};")
    print(f"  in the first block, the other contenders running between them: {in_block:+.0%}")
    return whole


def default_view() -> None:
    start = time.perf_counter()
    state = advance(init_state(DEFAULT), DEFAULT.steps)
    seconds = time.perf_counter() - start
    steps, acc = state.record.series("val_acc")
    first = int(steps[np.argmax(acc >= 0.9)]) if (acc >= 0.9).any() else None
    print(f"\nDefault view: {DEFAULT.steps} steps in {seconds:.2f} s (data loading included)")
    if first is not None:
        print(f"  validation accuracy >= 90% at step {first}, about {seconds * first / DEFAULT.steps:.2f} s in")
    print(f"  final: validation accuracy {acc[-1]:.1%}, {len(state.record.points)} record points")


ESTIMATED = {
    "default": DEFAULT,
    "batch norm before, momentum": replace(DEFAULT, bn="before", optimizer="momentum", lr=0.01),
    "10 x 128 tanh, SGD": replace(DEFAULT, hidden=(128,) * 10, activation="tanh", optimizer="sgd", lr=0.1),
    "2 x 512, batch 256": replace(DEFAULT, hidden=(512, 512), batch=256),
    "spiral, 2 x 100": replace(DEFAULT, dataset="spiral", prep="none", hidden=(100, 100)),
}


def estimates() -> None:
    print("\nWork-budget estimate beside the measurement (ms per step, recording included; medians of interleaved")
    print("rounds in CPU time, which a shared machine's other work inflates less than wall time, and in wall time)")
    cpu: dict[str, list[float]] = {}
    times = side_by_side([(name, engine_trainer(cfg)) for name, cfg in ESTIMATED.items()], rounds=9, cpu=cpu)
    for name, cfg in ESTIMATED.items():
        measured, wall = statistics.median(cpu[name]), statistics.median(times[name])
        estimate = estimate_cost(cfg).seconds_per_step
        print(
            f"  {name:<32} estimate {1000 * estimate:7.3f}  measured {1000 * measured:7.3f}"
            f"  x{estimate / measured:5.2f}   (wall {1000 * wall:7.3f}  x{estimate / wall:5.2f})"
        )


def goals(times: dict[str, list[float]], cpu: dict[str, list[float]], record_share: float) -> None:
    """The issue's three figures, from the first block (one thread each): medians of the rounds' ratios."""
    print("\nGoals (issue 14), first block, median of the rounds' ratios in wall time (in CPU time):")
    for name in (ON, OFF):
        line = f"  {name}: x{paired(times, name, REF_ONE):.2f} ({paired(cpu, name, REF_ONE):.2f}) the loop (goal >= 3)"
        if TORCH_ONE in times:
            line += f", x{paired(times, name, TORCH_ONE):.2f} ({paired(cpu, name, TORCH_ONE):.2f}) PyTorch (goal >= 1)"
        print(line)
    print(f"  recording at the default interval: {record_share:+.0%} of training time (goal <= 20%)")


if __name__ == "__main__":
    print("process settings as in the app:", tune_runtime())
    print("load average at start (2 cores): {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()))
    rates, cpu_rates = speed()
    share = recording(cpu_rates)
    default_view()
    estimates()
    goals(rates, cpu_rates, share)
    print("\nload average at end: {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()))
