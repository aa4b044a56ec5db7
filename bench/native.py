"""Native side-by-side: our trainer (examples/train.rs) against NumPy with one BLAS thread, and the
criterion benchmark of one training step. Started by scripts/bench-native.sh, which builds the trainer
and makes the virtual environment first; run with that environment's Python:

    .venv/bin/python bench/native.py [--quick] [--out artifacts/bench-native.md] [--no-criterion]
    .venv/bin/python bench/native.py --convnet [--quick]    # the ConvNet against PyTorch instead

Prints a table and writes it to artifacts/bench-native.md (raw numbers beside it, .json); with
--convnet, bench/native_convnet.py's table to artifacts/bench-native-convnet.md.
"""
import argparse
import json
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TRAIN = ROOT / "target" / "release" / "examples" / "train"
FLOP_PER_EXAMPLE = 409_088  # 784-128-10 forward + backward

# One BLAS thread; and OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE, which this workplace may set for older
# OpenBLAS builds and which slow a current NumPy, unset for NumPy's runs only.
NUMPY_ENV = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}
NUMPY_ENV.update(OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")


def say(message):
    print(f"\033[1m[bench-native]\033[0m {message}", file=sys.stderr, flush=True)


def numpy(*args, threads=1):
    env = dict(NUMPY_ENV, OPENBLAS_NUM_THREADS=str(threads), OMP_NUM_THREADS=str(threads), MKL_NUM_THREADS=str(threads))
    out = subprocess.run([sys.executable, str(ROOT / "bench" / "numpy_mlp.py"), *map(str, args)],
                         env=env, cwd=ROOT, check=True, stdout=subprocess.PIPE, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def ours(*args):
    started, cpu_started = time.perf_counter(), children_cpu()
    out = subprocess.run([str(TRAIN), *map(str, args)], cwd=ROOT, check=True, stdout=subprocess.PIPE, text=True).stdout
    wall, cpu = time.perf_counter() - started, children_cpu() - cpu_started
    m = re.search(r"trained (\d+) steps, (\d+) examples in ([\d.]+) s \((\d+) examples/s\)", out)
    if not m:
        sys.exit(f"unexpected output of {TRAIN.name}:\n{out}")
    train_acc = float(re.search(r"training accuracy ([\d.]+) %", out).group(1)) / 100
    cpu_training = re.search(r"training CPU time ([\d.]+) s", out)
    test_acc = float(re.search(r"test accuracy ([\d.]+) %", out).group(1)) / 100
    # The trainer prints seconds to 0.1 s; its examples/s is exact, so take the time from that.
    examples, rate = int(m.group(2)), float(m.group(4))
    return {"steps": int(m.group(1)), "examples": examples, "seconds": examples / rate, "examples_per_s": rate,
            "train_accuracy": train_acc, "test_accuracy": test_acc, "wall_with_loading": wall,
            # CPU time of the whole process: loading, training and the final evaluation.
            "cpu_whole_process": cpu,
            # CPU time of the training loop alone, as the trainer measures it.
            "cpu_training": float(cpu_training.group(1)) if cpu_training else None}


def training_cpu(run, baseline, key="examples"):
    """CPU seconds per unit of `key` spent training: the process's CPU time less that of a run
    that trained almost nothing but loaded and evaluated the same (our trainer prints wall time only)."""
    return (run["cpu_whole_process"] - baseline["cpu_whole_process"]) / (run[key] - baseline[key])


def criterion(quick):
    cmd = ["cargo", "bench", "--bench", "train_step", "--", "--color", "never", "--noplot"]
    if quick:
        cmd += ["--sample-size", "10", "--warm-up-time", "0.5", "--measurement-time", "1"]
    run = subprocess.run(cmd, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    if run.returncode != 0:
        say(f"the criterion benchmark failed (exit code {run.returncode}); the report says so")
        return None, run.stdout
    out = run.stdout
    # Each benchmark prints its name, then `time: [...]` and `thrpt: [...]`, and then, when an earlier
    # run is on record, a `change:` block with lines of the same shape: only the first pair counts.
    results = {}
    name = None
    for line in out.splitlines():
        if line.startswith("train_step"):  # a benchmark's name: "group/case"
            name = line.strip()
            results.setdefault(name, {"name": name})
        m = re.match(r"\s+(time|thrpt):\s+\[(.+?)\]", line)
        if m and name:
            results[name].setdefault(m.group(1), m.group(2))
    return list(results.values()), out


def estimate(text, unit=None, short=None):
    """Criterion's `low mid high` (each `value unit`) as `mid [low–high] unit`."""
    if not text:
        return "n/a"
    parts = text.split()
    if len(parts) != 6:
        return text
    (lo, lu), (mid, mu), (hi, hu) = zip(parts[0::2], parts[1::2])
    unit_of = lambda u: short if unit and u == unit else u
    if lu == mu == hu:
        return f"{mid} [{lo}–{hi}] {unit_of(mu)}"
    return f"{mid} {unit_of(mu)} [{lo} {unit_of(lu)}–{hi} {unit_of(hu)}]"


def median(values):
    return statistics.median(values)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="1 run each (else 5, and 3 of our seed runs), 100 seed iterations instead of 500, short criterion")
    parser.add_argument("--out", help="where the table goes (default artifacts/bench-native.md, with --convnet …-convnet.md)")
    parser.add_argument("--no-criterion", action="store_true")
    parser.add_argument("--convnet", action="store_true", help="the ConvNet against PyTorch (bench/native_convnet.py) instead of the MLP against NumPy")
    args = parser.parse_args()
    if args.convnet:
        import native_convnet
        args.out = args.out or "artifacts/bench-native-convnet.md"
        return native_convnet.main(args)
    args.out = args.out or "artifacts/bench-native.md"
    repeats = 1 if args.quick else 5
    iterations = 100 if args.quick else 500
    if not TRAIN.exists():
        sys.exit(f"{TRAIN} is missing: cargo build --release --example train")

    # (a) 784-128-10, plain SGD α = 0.05, batch 64 and 256: examples/s over one epoch, NumPy and ours
    # taking turns so that load from other work on the machine falls on both alike.
    # Examples per CPU-second too: on a machine shared with other work, wall-clock time says as much
    # about the load as about the code.
    throughput = {}
    for batch in (64, 256):
        sgd = ["--hidden", 128, "--optimizer", "sgd", "--lr", 0.05, "--batch", batch, "--constant-lr", "--smoothing", 0]
        baseline = ours(*sgd, "--epochs", 0.02)
        np_rates, np_cpu, our_rates, our_cpu = [], [], [], []
        for r in range(repeats):
            result = numpy("throughput", "--batch", batch, "--epochs", 1, "--repeats", 1)
            np_rates += result["examples_per_s"]
            np_cpu += result["examples_per_cpu_s"]
            blas = result["blas"]
            np_version = result["numpy"]
            our = ours(*sgd, "--epochs", 1, "--seed", 1 + r)
            our_rates.append(our["examples_per_s"])
            our_cpu.append(1 / training_cpu(our, baseline))
            say(f"batch {batch}, run {r + 1}/{repeats}: NumPy {np_rates[-1]:,.0f}, ours {our_rates[-1]:,.0f} examples/s "
                f"(per CPU-second: {np_cpu[-1]:,.0f}, {our_cpu[-1]:,.0f})")
        throughput[batch] = {"numpy": np_rates, "ours": our_rates, "numpy_per_cpu_s": np_cpu, "ours_per_cpu_s": our_cpu}

    # (b) The seed: 784-10-10, full-batch gradient descent, α = 0.1 — on one core each (NumPy with one
    # BLAS thread, ours with one thread), and on both cores each (OpenBLAS with 2 threads, ours with
    # `--threads 2`, which splits every full-batch step in two). NumPy once per setting (it is slow).
    seed_np, seed_ours, seed_baseline = {}, {}, {}
    for threads in (1, 2):
        say(f"the seed's NumPy program, {iterations} full-batch iterations, {threads} BLAS thread(s) (the slow one)")
        seed_np[threads] = numpy("seed", "--iterations", iterations, threads=threads)
        r = seed_np[threads]
        say(f"NumPy: {r['seconds']:.1f} s, train {r['train_accuracy']:.4f}, test {r['test_accuracy']:.4f}")
        ours_seed = ["--preset", "seed", "--threads", threads]
        seed_baseline[threads] = ours(*ours_seed, "--epochs", 1)
        seed_ours[threads] = [ours(*ours_seed, "--epochs", iterations, "--seed", 1 + r) for r in range(min(repeats, 3))]
        say(f"ours: {median([o['seconds'] for o in seed_ours[threads]]):.2f} s (median of {len(seed_ours[threads])})")

    crit, crit_raw = ([], "") if args.no_criterion else criterion(args.quick)

    # ------------------------------------------------------------------ report
    lines = []
    add = lines.append
    blas_text = ", ".join(f"{b['internal_api']} {b['version']} ({b['architecture']}, {b['num_threads']} thread)" for b in blas) or "unknown BLAS"
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.processor())
    add("# Native training: Inkling against NumPy")
    add("")
    add(f"{time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC · {cpu} × {os.cpu_count()} · Python {platform.python_version()}, "
        f"NumPy {np_version} on {blas_text} · {'**quick run** (for development only)' if args.quick else 'full run'} · "
        f"load average at the end {os.getloadavg()[0]:.2f}")
    add("")
    add(f"784-128-10, ReLU, softmax cross-entropy, plain SGD α = 0.05, shuffled mini-batches of all 60,000 images: examples/s over one epoch, "
        f"median of {repeats} epoch{'s' if repeats > 1 else ''} [min–max] (NumPy and ours take turns). "
        f"GFLOP/s = examples/s × {FLOP_PER_EXAMPLE:,} (dense forward + backward).")
    add("")
    add("In brackets after each ratio: the same ratio of examples per CPU-second (NumPy: the process's CPU time over the "
        "timed epoch; ours: the process's CPU time less that of a run that trains almost nothing), which depends far less on "
        "how busy the machine is. The targets are judged on the wall-clock ratio.")
    add("")
    add("| workload | NumPy, 1 thread | Inkling, native | Inkling ÷ NumPy | target |")
    add("|---|---:|---:|---:|---|")
    kilo = lambda v: f"{v / 1e3:.1f}k"
    for batch, t in throughput.items():
        n, o = median(t["numpy"]), median(t["ours"])
        nc, oc = median(t["numpy_per_cpu_s"]), median(t["ours_per_cpu_s"])
        cell = lambda v, vs, c: f"{kilo(v)} [{kilo(min(vs))}–{kilo(max(vs))}] ({v * FLOP_PER_EXAMPLE / 1e9:.1f} GFLOP/s); {kilo(c)} per CPU-s"
        ratio = o / n
        add(f"| SGD batch {batch}: examples/s | {cell(n, t['numpy'], nc)} | {cell(o, t['ours'], oc)} "
            f"| {ratio:.2f}× {'✓' if ratio >= 0.5 else '✗'} ({oc / nc:.2f}×) | ≥ 0.5× |")
    def seed_row(label, np_run, our_runs, baseline, target):
        our_s = median([o["seconds"] for o in our_runs])
        our_cpu = median([iterations * training_cpu(o, baseline, "steps") for o in our_runs])
        speedup, cpu_speedup = np_run["seconds"] / our_s, np_run["cpu_seconds"] / our_cpu
        verdict = ("✓" if speedup >= 10 else "✗") if target else "(for reference)"
        add(f"| the seed, {label}: seconds | {np_run['seconds']:.1f} s ({np_run['cpu_seconds']:.1f} CPU-s) "
            f"| {our_s:.2f} s ({our_cpu:.2f} CPU-s) | {speedup:.1f}× faster {verdict} ({cpu_speedup:.1f}×) | {'≥ 10× faster' if target else ''} |")

    seed_row("one core each (NumPy 1 BLAS thread, ours 1 thread)", seed_np[1], seed_ours[1], seed_baseline[1], True)
    seed_row("both cores each (OpenBLAS 2 threads, ours `--threads 2`)", seed_np[2], seed_ours[2], seed_baseline[2], True)
    seed_row("ours on both cores against NumPy on one", seed_np[1], seed_ours[2], seed_baseline[2], False)
    o, n = seed_ours[1][0], seed_np[1]
    same = o["test_accuracy"] >= n["test_accuracy"] - 0.005
    add(f"| the seed: training / test accuracy reached | {100 * n['train_accuracy']:.2f} % / {100 * n['test_accuracy']:.2f} % "
        f"| {100 * o['train_accuracy']:.2f} % / {100 * o['test_accuracy']:.2f} % | {'✓' if same else '✗'} | same (or better) |")
    add("")
    add("The seed's NumPy program is run as the seed wrote it: float64 (`X / 255.`), U(−0.5, 0.5) initial weights, one "
        "scalar bias gradient per layer (`db = 1/m · np.sum(dZ)`), the training accuracy printed every 10 iterations. "
        "Our trainer's seed preset (`--preset seed`) has the same network, data, steps and α, but He-initialised weights "
        "and per-unit bias gradients; it also prints every 10 iterations. Its seconds are the training loop's, including "
        "listing the images' non-zero pixels before the first step; the CPU-seconds subtract a 1-step run's. "
        "NumPy's 784-128-10 is the same network as ours: "
        "float32, He init, per-unit bias gradients, the loss computed every step.")
    if crit is None:
        add("")
        add("**The criterion benchmark failed to build or run** (see the output above); `cargo bench --bench train_step` shows why.")
    if crit:
        add("")
        add("Criterion, one `Trainer::train(1, …)` step of 784-128-10 on MNIST (`cargo bench --bench train_step`; SGD α = 0.05, "
            "and the page's default optimiser, Adam with label smoothing 0.1), in wall-clock time and in the benchmarking thread's "
            "CPU time: estimate [95 % interval].")
        add("")
        add("| step | wall-clock time | examples/s | CPU time | examples per CPU-second |")
        add("|---|---:|---:|---:|---:|")
        cases = {}
        for c in crit:
            group, _, case = c["name"].partition("/")
            cases.setdefault(case, {})["cpu" if "CPU" in group else "wall"] = c
        for case, m in cases.items():
            w, u = m.get("wall", {}), m.get("cpu", {})
            add(f"| {case.replace('/', ', ')} | {estimate(w.get('time'))} | {estimate(w.get('thrpt'), 'Kelem/s', 'k')} "
                f"| {estimate(u.get('time'))} | {estimate(u.get('thrpt'), 'Kelem/s', 'k')} |")
    add("")
    add("The machine is shared with other work (2 cores), so wall-clock figures are noisy; the min–max spread shows how much, and the CPU-time figures are the steadier guide.")
    text = "\n".join(lines)
    out = ROOT / args.out
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text + "\n")
    out.with_suffix(".json").write_text(json.dumps({"throughput": throughput, "seed_numpy_by_threads": seed_np, "seed_ours_by_threads": seed_ours,
                                                     "seed_ours_baseline": seed_baseline,
                                                     "criterion": crit, "blas": blas}, indent=1) + "\n")
    print(text)
    say(f"written to {out}")
    if crit is None:
        sys.exit(1)


if __name__ == "__main__":
    main()
