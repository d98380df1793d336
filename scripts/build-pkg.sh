#!/usr/bin/env bash
# Builds the npm package into pkg/ (or $1): release wasm, wasm-bindgen glue, pkg-template.
# Extra arguments go to cargo for the main entry's wasm (e.g. `--no-default-features --features
# keys` for the HMAC-only build). The default package also gets the browser client's own wasm
# (`jwt-refresh/client`), so servers never load the client and browsers never load the Issuer.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-pkg}
shift || true
wasm=target/wasm32-unknown-unknown/release/jwt_refresh.wasm

# One wasm binary and its glue, named `$1` in $out; the rest of the arguments go to cargo.
bind() {
  local name=$1
  shift
  cargo build --quiet --release --target wasm32-unknown-unknown "$@"
  wasm-bindgen --target web --out-dir "$out" --out-name "$name" "$wasm"
  # One import per snippet module, so that bundlers see no duplicate keys.
  node scripts/dedupe-glue-imports.mjs "$out/$name.js"
  # A current wasm-opt from npm (never Debian's 108, whose output fails to load). The
  # features are the ones rustc enables for wasm32 by default.
  scripts/node_modules/.bin/wasm-opt -Oz --strip-debug --strip-producers \
    --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
    --enable-mutable-globals --enable-reference-types --enable-multivalue \
    "$out/${name}_bg.wasm" -o "$out/${name}_bg.wasm"
  # `[Symbol.dispose]` typings need lib "esnext.disposable"; drop them so consumers on ES2022
  # libs compile. The runtime method is still there for `using`.
  sed -i '/\[Symbol.dispose\]/d' "$out/$name.d.ts"
  echo "built $out/${name}_bg.wasm ($(gzip -9c "$out/${name}_bg.wasm" | wc -c) bytes gzip)"
}

rm -rf "$out"
bind jwt_refresh "$@"
if [ $# -eq 0 ]; then
  bind jwt_refresh_client --no-default-features --features browser
fi
cp pkg-template/* "$out/"
# The licenses the crate and the package are under (MIT OR Apache-2.0).
cp LICENSE-MIT LICENSE-APACHE "$out/"
