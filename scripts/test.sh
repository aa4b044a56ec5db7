#!/usr/bin/env bash
# Runs every test: Rust natively, the wasm API in headless Firefox and Chromium, and the page
# end to end in both browsers. Installs whatever is missing first and builds the page.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh --browsers
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
# The headless test runner stops a test after 20 s by default; a loaded machine needs more.
export WASM_BINDGEN_TEST_TIMEOUT=${WASM_BINDGEN_TEST_TIMEOUT:-300}

say() { printf '\n\033[1m[test] %s\033[0m\n' "$*"; }

say "Rust: unit, gradient-check, optimiser, parser, learning and preprocessing tests (native)"
cargo test

say "WebAssembly API in headless Firefox"
wasm-pack test --headless --firefox

say "WebAssembly API in headless Chromium"
wasm-pack test --headless --chrome

say "The page's frame budgeting and scheduling (Node, no browser)"
node --test tests/js/

say "The page, end to end, in headless Firefox and Chromium"
node --test --test-concurrency=1 tests/e2e/
