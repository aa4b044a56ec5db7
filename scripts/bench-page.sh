#!/usr/bin/env bash
# Page benchmark: the page itself with its default settings, from fresh weights, in headless Chromium
# and Firefox — seconds from pressing Train to 98 % test accuracy and their ratio to the native
# trainer's on the same recipe and seed (measured in the same run), the share of frames within 20 ms
# meanwhile, the share of the time spent training (as the page shows it), WebAssembly memory, and the
# wasm file's gzipped size; with the machine otherwise idle and with one core kept busy by another
# process. Prints a table and writes it to artifacts/bench-page.md.
#
#   bash scripts/bench-page.sh                      # 3 seeds, both browsers, idle and busy (≈ 3 min on 2 cores)
#   … --browsers chromium --seeds 7 --load idle     # one browser, one run
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"   # npm's binaryen wasm-opt, not Debian's

bash scripts/setup.sh --browsers >&2
bash scripts/build.sh >&2
cargo build --release --example train >&2   # the native side of the comparison
node bench/page.mjs "$@"
