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
# A current wasm-opt from npm (never Debian's 108, whose output fails to load). The features
# are the ones rustc enables for wasm32 by default.
wasm_opt=scripts/node_modules/.bin/wasm-opt
"$wasm_opt" -Oz --strip-debug --strip-producers \
  --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-mutable-globals --enable-reference-types --enable-multivalue \
  "$out/jwt_refresh_bg.wasm" -o "$out/jwt_refresh_bg.wasm"
# `[Symbol.dispose]` typings need lib "esnext.disposable"; drop them so consumers on ES2022
# libs compile. The runtime method is still there for `using`.
sed -i '/\[Symbol.dispose\]/d' "$out/jwt_refresh.d.ts"
cp pkg-template/* "$out/"
echo "built $out/ ($(gzip -9c "$out/jwt_refresh_bg.wasm" | wc -c) bytes of wasm, gzip)"
