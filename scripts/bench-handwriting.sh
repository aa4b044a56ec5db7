#!/usr/bin/env bash
# Handwriting benchmark: draws the 504 stroke digits of bench/handwriting/set.mjs (168 hand-written
# shapes in 57 styles, each as written and in two seeded variants) with the mouse on the page's Drawing
# pad at 35–85 % of its side, off-centre and slightly turned, in headless Chromium and Firefox, and
# reads the Prediction of the pretrained model the page starts with. Prints accuracy per digit, per
# style and overall, and the worst styles; writes artifacts/bench-handwriting.md, and exits non-zero
# if any browser is below 95 %.
#
#   bash scripts/bench-handwriting.sh                         # both browsers (≈ 9 min on 2 loaded cores)
#   bash scripts/bench-handwriting.sh --browsers chromium --limit 60      # quick look: every 9th drawing
#   … --models pretrained,trained    # also a network trained in the page (default settings, seed 7)
#   … --places 2                     # each digit drawn at two places (twice the time)
#   … --no-build                     # use the page as last built
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
