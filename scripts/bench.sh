#!/usr/bin/env bash
# The benchmark: builds the default and HMAC-only packages, then measures jwt-refresh beside
# jose, fast-jwt and @tsndr/cloudflare-worker-jwt in one run (Node, workerd, native Rust,
# sizes, cold start). Prints a table; writes artifacts/bench/latest.json. --quick: smoke run.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
./scripts/setup.sh build
./scripts/build-pkg.sh
./scripts/build-pkg.sh pkg-hmac --no-default-features --features keys
node bench/run.mjs "$@"
