"""The ConvNet part of the native benchmark (`bench/native.py --convnet`, started by
`scripts/bench-native.sh --convnet`): Inkling's ConvNet recipe `c8k5-p2-c16k5-p2-128` against the same
network in PyTorch (bench/torch_convnet.py, in .venv-torch), plain SGD at a constant rate, one thread
each, at batch 32 and 64 — and a check that both do the same work: from PyTorch's initial weights, on
the same batches, the two must give the same losses step after step.

Writes artifacts/bench-native-convnet.md (raw numbers beside it, .json) and prints the table.
"""
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time

from native import NUMPY_ENV, ROOT, TRAIN, ours, say

TORCH_PYTHON = ROOT / ".venv-torch" / "bin" / "python"
SAME_STEPS = ROOT / "target" / "release" / "examples" / "same_steps"
LR = 0.05
# Losses of the same steps from the same weights may differ by rounding only (the two sum in
# different orders): far below this. A mistake in a layer, a layout or the loss is far above it.
SAME_LOSS_TOLERANCE = 1e-3
SANITY_STEPS = 20


def torch(*args):
    out = subprocess.run([str(TORCH_PYTHON), str(ROOT / "bench" / "torch_convnet.py"), *map(str, args)],
                         env=NUMPY_ENV, cwd=ROOT, check=True, stdout=subprocess.PIPE, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def same_steps(batch):
    """PyTorch's first SANITY_STEPS losses and Inkling's, from PyTorch's initial weights."""
    start = ROOT / "artifacts" / f"torch-start-b{batch}.inkling"
    start.parent.mkdir(parents=True, exist_ok=True)
    theirs = torch("same-steps", "--batch", batch, "--steps", SANITY_STEPS, "--lr", LR, "--save", start)
    out = subprocess.run([str(SAME_STEPS), str(start), "--batch", str(batch), "--steps", str(SANITY_STEPS), "--lr", str(LR)],
                         cwd=ROOT, check=True, stdout=subprocess.PIPE, text=True).stdout
    mine = [float(m) for m in re.findall(r"^step \d+ loss (\S+)$", out, re.M)]
    if len(mine) != SANITY_STEPS:
        sys.exit(f"unexpected output of {SAME_STEPS.name}:\n{out}")
    return {"torch": theirs["losses"], "ours": mine,
            "max_difference": max(abs(a - b) for a, b in zip(theirs["losses"], mine))}


def main(args):
    repeats = 1 if args.quick else 5
    epochs = 0.1 if args.quick else 1.0
    for tool in (TRAIN, SAME_STEPS):
        if not tool.exists():
            sys.exit(f"{tool} is missing: cargo build --release --example train --example same_steps")
    load_before = os.getloadavg()[0]

    sanity = {}
    for batch in (32, 64):
        sanity[batch] = same_steps(batch)
        s = sanity[batch]
        say(f"batch {batch}, same start, {SANITY_STEPS} steps: losses {s['torch'][0]:.4f} → {s['torch'][-1]:.4f} (PyTorch), "
            f"{s['ours'][0]:.4f} → {s['ours'][-1]:.4f} (ours), largest difference {s['max_difference']:.1e}")

    # Examples/s over `epochs` of shuffled batches, PyTorch and ours taking turns so that load from
    # other work on the machine falls on both alike; per CPU-second too, as in the MLP's table.
    throughput, version = {}, None
    for batch in (32, 64):
        sgd = ["--preset", "convnet", "--optimizer", "sgd", "--lr", LR, "--batch", batch, "--constant-lr", "--smoothing", 0]
        t = {"torch": [], "torch_per_cpu_s": [], "ours": [], "ours_per_cpu_s": []}
        for r in range(repeats):
            result = torch("throughput", "--batch", batch, "--epochs", epochs, "--lr", LR, "--seed", 1 + r)
            version = result["torch"]
            t["torch"] += result["examples_per_s"]
            t["torch_per_cpu_s"] += result["examples_per_cpu_s"]
            our = ours(*sgd, "--epochs", epochs, "--seed", 1 + r)
            t["ours"].append(our["examples_per_s"])
            t["ours_per_cpu_s"].append(our["examples"] / our["cpu_training"])
            say(f"batch {batch}, run {r + 1}/{repeats}: PyTorch {t['torch'][-1]:,.0f}, ours {t['ours'][-1]:,.0f} examples/s "
                f"(per CPU-second: {t['torch_per_cpu_s'][-1]:,.0f}, {t['ours_per_cpu_s'][-1]:,.0f})")
        throughput[batch] = t

    # ------------------------------------------------------------------ report
    lines = []
    add = lines.append
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.processor())
    add("# Native training of the ConvNet: Inkling against PyTorch")
    add("")
    add(f"{time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC · {cpu} × {os.cpu_count()} · Python {platform.python_version()}, "
        f"PyTorch {version} (PyPI wheel, CPU only, 1 thread) · {'**quick run** (for development only)' if args.quick else 'full run'} · "
        f"load average {load_before:.2f} at the start, {os.getloadavg()[0]:.2f} at the end")
    add("")
    add(f"`c8k5-p2-c16k5-p2-128` (conv 1→8 5×5 + ReLU, 2×2 max-pool, conv 8→16 5×5 + ReLU, 2×2 max-pool, dense 256→128 ReLU, "
        f"dense 128→10 softmax cross-entropy), plain SGD α = {LR}, shuffled mini-batches of the 60,000 images (pixels / 255): "
        f"examples/s over {epochs:g} epoch{'s' if epochs > 1 else ''}, median of {repeats} [min–max], PyTorch and Inkling "
        "taking turns; each from its own initial weights. The ratio is of the medians, with the lowest and highest ratio of a "
        "run to the PyTorch run just before it in square brackets; after it, in round brackets, the same ratio of examples per "
        "CPU-second (the process's CPU time over the timed steps, as each measures it), which depends far less on how busy the machine is.")
    add("")
    add("| batch | PyTorch, 1 thread | Inkling, native | Inkling ÷ PyTorch |")
    add("|---|---:|---:|---:|")
    kilo = lambda v: f"{v / 1e3:.2f}k"
    for batch, t in throughput.items():
        n, o = statistics.median(t["torch"]), statistics.median(t["ours"])
        nc, oc = statistics.median(t["torch_per_cpu_s"]), statistics.median(t["ours_per_cpu_s"])
        cell = lambda v, vs, c: f"{kilo(v)} [{kilo(min(vs))}–{kilo(max(vs))}]; {kilo(c)} per CPU-s"
        pairs = [a / b for a, b in zip(t["ours"], t["torch"])]
        add(f"| {batch} | {cell(n, t['torch'], nc)} | {cell(o, t['ours'], oc)} "
            f"| {o / n:.2f}× [{min(pairs):.2f}–{max(pairs):.2f}] ({oc / nc:.2f}×) |")
    add("")
    add(f"Same work: PyTorch's initial weights written as an Inkling model file, then {SANITY_STEPS} steps on the first "
        f"training images in order in each (`examples/same_steps.rs`); the losses must agree within {SAME_LOSS_TOLERANCE:g}.")
    add("")
    add("| batch | loss at step 1 (PyTorch / Inkling) | loss at step " f"{SANITY_STEPS} (PyTorch / Inkling) | largest difference | |")
    add("|---|---:|---:|---:|---|")
    agree = True
    for batch, s in sanity.items():
        ok = s["max_difference"] <= SAME_LOSS_TOLERANCE
        agree &= ok
        add(f"| {batch} | {s['torch'][0]:.6f} / {s['ours'][0]:.6f} | {s['torch'][-1]:.6f} / {s['ours'][-1]:.6f} "
            f"| {s['max_difference']:.1e} | {'✓' if ok else '✗'} |")
    add("")
    add("The machine is shared with other work, so wall-clock figures are noisy; the min–max spread shows how much, "
        "and the CPU-time figures are the steadier guide.")
    text = "\n".join(lines)
    out = ROOT / args.out
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text + "\n")
    out.with_suffix(".json").write_text(json.dumps({"throughput": throughput, "same_steps": sanity, "torch": version}, indent=1) + "\n")
    print(text)
    say(f"written to {out}")
    if not agree:
        say("the losses of the same steps disagree: the two do not compute the same thing")
        sys.exit(1)
