#!/usr/bin/env bash
# Builds the demo (installing what is missing) and serves www/ on http://127.0.0.1:${PORT:-8080}/.
# A local server is needed because browsers refuse to fetch WebAssembly and data from file:// URLs.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
PORT=${PORT:-8080}
printf '\n\033[1mInkling is ready: open http://127.0.0.1:%s/\033[0m  (Ctrl+C stops the server)\n\n' "$PORT"
exec node_modules/.bin/http-server www -a 127.0.0.1 -p "$PORT" -c-1 --silent
