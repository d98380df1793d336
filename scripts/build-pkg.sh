#!/usr/bin/env bash
# Builds the npm package into pkg/ (or $1): release wasm, wasm-bindgen glue, pkg-template.
# Extra arguments go to cargo (e.g. --no-default-features for the HMAC-only build).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-pkg}
shift || true
cargo build --quiet --release --target wasm32-unknown-unknown "$@"
rm -rf "$out"
wasm-bindgen --target web --out-dir "$out" target/wasm32-unknown-unknown/release/jwt_refresh.wasm
# `[Symbol.dispose]` typings need lib "esnext.disposable"; drop them so consumers on ES2022
# libs compile. The runtime method is still there for `using`.
sed -i '/\[Symbol.dispose\]/d' "$out/jwt_refresh.d.ts"
cp pkg-template/* "$out/"
echo "built $out/ ($(gzip -9c "$out/jwt_refresh_bg.wasm" | wc -c) bytes of wasm, gzip)"
