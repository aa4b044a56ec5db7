#!/usr/bin/env bash
# Handwriting benchmark: draws the 100 stroke digits of bench/handwriting/strokes.mjs with the mouse on
# the page's Drawing pad at several sizes and places, in headless Chromium and Firefox, and reads the
# Prediction — with the pretrained model the page starts with, and with a network trained in the page
# from scratch (default settings, seed 7). Prints accuracy per digit and overall, writes
# artifacts/bench-handwriting.md, and exits non-zero if any is below 95 %.
#
#   bash scripts/bench-handwriting.sh                         # everything (≈ 15 min on 2 cores)
#   bash scripts/bench-handwriting.sh --browsers chromium --models pretrained --places 1   # quick look
#   … --no-build                                              # use the page as last built
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"

build=1
args=()
for arg in "$@"; do
  if [[ $arg == --no-build ]]; then build=0; else args+=("$arg"); fi
done
# The page, its data and the pretrained model (each step only redoes what changed).
if [[ $build == 1 ]]; then
  bash scripts/build.sh --browsers >&2
fi
exec node bench/handwriting/run.mjs "${args[@]}"
