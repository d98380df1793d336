#!/usr/bin/env bash
# The whole test suite: lints, native tests, wasm tests in Node/Chrome/Firefox, JS tests
# against the built package. Installs what is missing first (scripts/setup.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
step() { printf '\n=== %s\n' "$*"; }

./scripts/setup.sh

step "rustfmt"
cargo fmt --check

step "clippy (host and wasm32; default, HMAC-only and all features)"
for target in "" "--target wasm32-unknown-unknown"; do
  for features in "" "--no-default-features" "--all-features"; do
    # shellcheck disable=SC2086
    cargo clippy --quiet --all-targets $target $features -- -D warnings
  done
done

step "native tests (default, HMAC-only, all features)"
cargo test --quiet
cargo test --quiet --no-default-features
cargo test --quiet --all-features

step "wasm tests in Node"
cargo test --target wasm32-unknown-unknown --test wasm_api

export WASM_BINDGEN_TEST_WEBDRIVER_JSON="$PWD/tests/support/webdriver.json"
step "wasm tests in headless Chrome"
WASM_BINDGEN_USE_BROWSER=1 CHROMEDRIVER="$(command -v chromedriver)" \
  cargo test --target wasm32-unknown-unknown --test wasm_api
step "wasm tests in headless Firefox"
WASM_BINDGEN_USE_BROWSER=1 GECKODRIVER="$(command -v geckodriver)" \
  cargo test --target wasm32-unknown-unknown --test wasm_api

step "build the npm package (default, and with RSA verification for the RS256/PS256 interop)"
./scripts/build-pkg.sh
./scripts/build-pkg.sh pkg-rsa --features rsa

step "TypeScript consumer (tsc --strict)"
(cd tests/js && npx --no-install tsc -p tsconfig.json)

step "JS tests against the package (jose interop, workerd end-to-end, store faults)"
(cd tests/js && node --test)
