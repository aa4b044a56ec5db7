#!/usr/bin/env bash
# Fuzzes the parsers that take outside bytes: the IDX parser, model import and drawing preprocessing.
#   scripts/fuzz.sh [seconds per target, default 120] [target…]
# Not part of CI. cargo-fuzz needs nightly-only compiler flags (sanitizers); RUSTC_BOOTSTRAP=1 lets
# the stable toolchain accept them, since no nightly toolchain can be installed here.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
seconds=${1:-120}
shift || true
targets=("$@")
((${#targets[@]})) || targets=(idx model_import preprocess)
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked || cargo install cargo-fuzz
for target in "${targets[@]}"; do
  printf '\n\033[1m[fuzz] %s for %s s\033[0m\n' "$target" "$seconds"
  mkdir -p "fuzz/corpus/$target"
  RUSTC_BOOTSTRAP=1 cargo fuzz run "$target" "fuzz/corpus/$target" -- \
    -max_total_time="$seconds" -rss_limit_mb=2048 -print_final_stats=1 2>&1 |
    grep -E '^(#[0-9]+.*DONE|stat::number_of_executed_units|stat::peak_rss_mb|==[0-9]+==|SUMMARY|artifact_prefix|Test unit written|Done)' || true
  if ls fuzz/artifacts/"$target"/crash-* fuzz/artifacts/"$target"/oom-* >/dev/null 2>&1; then
    echo "[fuzz] $target: findings in fuzz/artifacts/$target/"; exit 1
  fi
done
