#!/usr/bin/env bash
# The main job: build the package and run the demo (installs what is missing first).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
./scripts/setup.sh build
./scripts/build-pkg.sh
node www/quickstart.mjs
