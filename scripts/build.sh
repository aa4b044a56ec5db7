#!/usr/bin/env bash
# Builds everything the page needs into www/: the wasm package (www/pkg), the prepared MNIST
# (www/data), the chart library (www/vendor). Installs what is missing first (scripts/setup.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh "$@"
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"   # npm's binaryen wasm-opt, not Debian's (it breaks the module)

say() { printf '\033[1m[build]\033[0m %s\n' "$*"; }
say "wasm package (release, simd128) -> www/pkg"
wasm-pack build --release --target web --out-dir www/pkg --no-pack

say "MNIST -> www/data"
node scripts/prepare-data.mjs

say "vendor libraries -> www/vendor"
mkdir -p www/vendor
cp node_modules/uplot/dist/uPlot.esm.js node_modules/uplot/dist/uPlot.min.css www/vendor/
cp node_modules/uplot/LICENSE www/vendor/uPlot.LICENSE
