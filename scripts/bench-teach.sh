#!/usr/bin/env bash
# Teaching benchmark ("Teach it your handwriting"): with the pretrained model, in headless Chromium and
# Firefox, reads the handwriting benchmark's 504 stroke digits, teaches one drawing of each misread
# style with "It's …", then reads everything again: how many of the taught styles' other drawings
# (and further sizes and places) are now read right, how many right ones of other styles turned wrong,
# the test accuracy before and after, and the time per lesson. Writes artifacts/bench-teach.md.
#
#   bash scripts/bench-teach.sh                          # both browsers (≈ 10 min each on 2 loaded cores)
#   bash scripts/bench-teach.sh --browsers chromium --extra 1
#   … --no-build                                         # use the page as last built
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"

build=1
args=()
for arg in "$@"; do
  if [[ $arg == --no-build ]]; then build=0; else args+=("$arg"); fi
done
if [[ $build == 1 ]]; then
  bash scripts/build.sh --browsers >&2
fi
exec node bench/teach.mjs "${args[@]}"
