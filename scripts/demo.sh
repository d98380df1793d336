#!/usr/bin/env bash
# The main job: build the package and start the demo (an SPA and its Worker, run by workerd
# via Miniflare on 127.0.0.1). Prints the URL to open. PORT=... to choose the port. The build
# is skipped when nothing it is made from changed (scripts/build-pkg.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
./scripts/setup.sh build
./scripts/build-pkg.sh
exec node www/serve.mjs "${PORT:-8787}"
