#!/usr/bin/env bash
# Browser benchmark: training examples/s (and GFLOP/s) of our trainer — simd128 build and the same code
# without simd128 — against TensorFlow.js (wasm, cpu and, where the browser offers it, webgl backends)
# with plain SGD on 784-128-10 at batch 64 and 256 and on the ConvNet c8k5-p2-c16k5-p2-128 at batch 32
# and 64, in headless Chromium and headless Firefox, with a check that every implementation does the
# same work. Prints a table per network and writes them to artifacts/bench-browser.md (raw numbers in
# artifacts/bench-browser.json).
#
#   bash scripts/bench-browser.sh            # full run (≈ 20 min on 2 cores)
#   bash scripts/bench-browser.sh --quick    # fewer, shorter runs, for development (≈ 5 min)
#   … --browsers chromium                    # one browser only
#   … --networks convnet                     # one network only (mlp, convnet)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"   # npm's binaryen wasm-opt, not Debian's
say() { printf '\033[1m[bench-browser]\033[0m %s\n' "$*" >&2; }

# The simd128 package (www/pkg) and the data (www/data); installs the toolchain, browsers and npm
# packages where missing.
bash scripts/setup.sh --browsers >&2
bash scripts/build.sh >&2

# TensorFlow.js, which only this benchmark needs, has its own package file (bench/package.json), so the
# demo's and the tests' `npm ci` never installs it. Installed only when missing or older than the lock.
if [ ! -d bench/node_modules ] || [ bench/package-lock.json -nt bench/node_modules/.package-lock.json ]; then
  say "installing the benchmark's npm packages (TensorFlow.js) -> bench/node_modules"
  (cd bench && npm ci --no-audit --no-fund) >&2
fi

# The same code without simd128, in its own target directory so the main build is not rebuilt.
say "wasm package without simd128 -> bench/pkg-nosimd"
CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="-C target-feature=-simd128" CARGO_TARGET_DIR=target/nosimd \
  wasm-pack build --release --target web --out-dir bench/pkg-nosimd --no-pack >&2

# Make sure the two builds differ the way they should.
simd_ops() { wasm-dis "$1" | grep -c 'v128' || true; }
with=$(simd_ops www/pkg/inkling_bg.wasm)
without=$(simd_ops bench/pkg-nosimd/inkling_bg.wasm)
if [ "$with" -eq 0 ] || [ "$without" -ne 0 ]; then
  say "error: expected SIMD instructions only in www/pkg (found $with there, $without in bench/pkg-nosimd)"
  exit 1
fi
say "simd128 build: $with v128 instructions; the other: none"

# TensorFlow.js is for the benchmark only: the app's page must never load it.
if grep -rlqi 'tensorflow\|tfjs' www --include='*.html' --include='*.js' --exclude-dir=pkg --exclude-dir=vendor; then
  say "error: a file in www/ refers to TensorFlow.js; it is a dev dependency of the benchmark only"
  exit 1
fi

node bench/run.mjs "$@"
