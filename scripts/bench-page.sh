#!/usr/bin/env bash
# Page benchmark: the page itself with its default settings, from fresh weights, in headless Chromium
# and Firefox — seconds from pressing Train to 98 % test accuracy, the share of frames within 20 ms
# meanwhile, WebAssembly memory, and the wasm file's gzipped size. Prints a table and writes it to
# artifacts/bench-page.md.
#
#   bash scripts/bench-page.sh                      # 3 seeds in each browser (≈ 3 min on 2 cores)
#   … --browsers chromium --seeds 7                 # one browser, one run
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"   # npm's binaryen wasm-opt, not Debian's

bash scripts/setup.sh --browsers >&2
bash scripts/build.sh >&2
node bench/page.mjs "$@"
