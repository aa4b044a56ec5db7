#!/usr/bin/env bash
# Fuzzes the code that takes outside bytes: the IDX parser, model import and drawing preprocessing.
# One target at a time, one fuzzing process; prints a table (target, executions, seconds, findings)
# and writes it to artifacts/fuzz.md.
#   scripts/fuzz.sh [SECONDS] [target…]         each target for SECONDS (default 120)
#   scripts/fuzz.sh --runs N [target…]          each target until it has run N inputs
# Not part of the tests. cargo-fuzz needs nightly-only compiler flags (sanitizers); RUSTC_BOOTSTRAP=1
# lets the stable toolchain accept them, since no nightly toolchain can be installed here.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
say() { printf '\033[1m[fuzz]\033[0m %s\n' "$*" >&2; }

limit=(-max_total_time=120); plan="120 s per target"
if [ "${1:-}" = "--runs" ]; then
  limit=(-runs="$2"); plan="$2 executions per target"; shift 2
elif [[ ${1:-} =~ ^[0-9]+$ ]]; then
  limit=(-max_total_time="$1"); plan="$1 s per target"; shift
fi
targets=("$@")
((${#targets[@]})) || targets=(idx model_import preprocess)

# Every target is built with debug assertions, so an arithmetic overflow is a finding, not a silent
# wrap. Drawing preprocessing is safe Rust from end to end (the crate has no `unsafe`, and no C is
# on its path), so AddressSanitizer has nothing to find there; and its input has no magic numbers
# to guess, so tracing comparisons, which took 62 % of its time (perf), only slowed it down. The
# other two keep both: model import reaches nalgebra's unsafe matrix code, and both parsers start
# with magic numbers.
declare -A build_options=(
  [idx]="--debug-assertions"
  [model_import]="--debug-assertions"
  [preprocess]="--debug-assertions --sanitizer none --no-trace-compares"
)

command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked || cargo install cargo-fuzz
mkdir -p artifacts
rows=()
failed=0
for target in "${targets[@]}"; do
  [ -n "${build_options[$target]+set}" ] || { say "unknown target $target"; exit 2; }
  read -ra options <<< "${build_options[$target]}"
  # Each set of build options in its own target directory, so targets do not rebuild each other.
  target_dir="fuzz/target/$(printf '%s' "${options[*]}" | sed 's/--//g; s/ /+/g')"
  say "$target: building (${options[*]})"
  RUSTC_BOOTSTRAP=1 cargo fuzz build "${options[@]}" --target-dir "$target_dir" "$target" >&2
  mkdir -p "fuzz/corpus/$target" "fuzz/artifacts/$target"
  before=$(find "fuzz/artifacts/$target" -type f | wc -l)
  log="artifacts/fuzz-$target.log"
  say "$target: $plan (log: $log)"
  start=$(date +%s.%N)
  status=0
  TIMEFORMAT='%U %S'
  { time RUSTC_BOOTSTRAP=1 cargo fuzz run "${options[@]}" --target-dir "$target_dir" "$target" "fuzz/corpus/$target" -- \
      "${limit[@]}" -rss_limit_mb=2048 -print_final_stats=1 >"$log" 2>&1 || status=$?; } 2>"$log.time"
  seconds=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.0f", b - a }')
  cpu=$(awk '{ printf "%.0f", $1 + $2 }' "$log.time"); rm -f "$log.time"
  executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  findings=$(( $(find "fuzz/artifacts/$target" -type f | wc -l) - before ))
  if [ "$status" -ne 0 ] && [ "$findings" -eq 0 ]; then findings="libFuzzer exited with $status"; fi
  [ "$findings" = 0 ] || { failed=1; say "$target: findings in fuzz/artifacts/$target/ (see $log)"; }
  rows+=("| $target | ${executions:-?} | $seconds | $cpu | $findings |")
  say "${rows[-1]}"
done

{
  echo "Fuzzing: $plan, one process; $(date -u '+%Y-%m-%d %H:%M') UTC on $(nproc) × $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)"
  echo
  echo "| target | executions | seconds | CPU seconds | findings |"
  echo "|---|---:|---:|---:|---:|"
  printf '%s\n' "${rows[@]}"
} | tee artifacts/fuzz.md
exit "$failed"
