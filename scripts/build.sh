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

# The model the page starts with, so drawing works before any training: a ConvNet trained by the
# native trainer with the pretrained preset (src/presets.rs: the ConvNet recipe with twice its
# channels, c16k5-p2-c32k5-p2-128, Adam 3e-3, augmentation, 6 epochs) from a fixed seed — about
# 1.5 min of one core idle, 2.5 min with the other busy (README, "Reading real handwriting"). Not committed: it is made here, and
# made again only when it is missing, its recipe changed, or a source it comes from is newer than it
# — the presets, the trainer and the modules it uses, the model file format, the native trainer, the
# dependencies (not the wasm bindings, preprocessing or the page, so most rebuilds skip it).
PRETRAINED=www/models/pretrained.inkling
PRETRAINED_ARGS=(--preset pretrained --seed 1)
PRETRAINED_SOURCES=(src/{presets,trainer,augment,batch,network,layer,activation,loss,optim,mnist,dataset,pixel,model_file,error,nonzeros,architecture}.rs src/layer src/trainer
  examples/train.rs examples/common Cargo.toml Cargo.lock)
recipe="${PRETRAINED_ARGS[*]}"
stamp="$PRETRAINED.recipe"
newer=""
if [[ -f $PRETRAINED ]]; then
  newer=$(find "${PRETRAINED_SOURCES[@]}" -newer "$PRETRAINED" -type f -print -quit)
fi
if [[ ! -f $PRETRAINED || ! -f $stamp || "$(cat "$stamp")" != "$recipe" || -n $newer ]]; then
  say "pretrained model ($recipe) -> $PRETRAINED${newer:+ ($newer changed)}"
  mkdir -p "$(dirname "$PRETRAINED")"
  cargo run --release --example train -- "${PRETRAINED_ARGS[@]}" --save "$PRETRAINED.tmp"
  mv "$PRETRAINED.tmp" "$PRETRAINED"
  printf '%s' "$recipe" > "$stamp"
else
  say "pretrained model: $PRETRAINED is up to date"
fi
