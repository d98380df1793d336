#!/usr/bin/env bash
# Builds the npm package into pkg/ (or $1): release wasm, wasm-bindgen glue, pkg-template.
# Extra arguments go to cargo for the main entry's wasm (e.g. `--no-default-features --features
# keys` for the HMAC-only build). The default package also gets the browser client's own wasm
# (`jwt-refresh/client`), so servers never load the client and browsers never load the Issuer.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-pkg}
shift || true

# One wasm binary and its glue, named `$1` in $out, built with cargo profile `$2`; the rest of
# the arguments go to cargo.
bind() {
  local name=$1 profile=$2
  shift 2
  # The cdylib alone: built together with the rlib that Cargo.toml also names (for the native
  # tests, benches and fuzz targets), the crate's public items stay visible to LTO, which then
  # can neither inline nor drop what only the wasm exports reach (bench/README.md).
  cargo rustc --quiet --lib --crate-type cdylib --profile "$profile" \
    --target wasm32-unknown-unknown "$@"
  wasm-bindgen --target web --out-dir "$out" --out-name "$name" \
    "target/wasm32-unknown-unknown/$profile/jwt_refresh.wasm"
  # One import per snippet module, so that bundlers see no duplicate keys.
  node scripts/dedupe-glue-imports.mjs "$out/$name.js"
  # A current wasm-opt from npm (never Debian's 108, whose output fails to load). The
  # features are the ones rustc enables for wasm32 by default. `-ocimfs 20`: a function with
  # one caller stays apart unless it is tiny, which gzips smaller and leaves V8 less to compile
  # on a first call (it compiles each function when first called, the whole of it).
  scripts/node_modules/.bin/wasm-opt -Oz -ocimfs 20 --strip-debug --strip-producers \
    --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
    --enable-mutable-globals --enable-reference-types --enable-multivalue \
    "$out/${name}_bg.wasm" -o "$out/${name}_bg.wasm"
  # wasm-bindgen's import names without their hashes, in the wasm and the glue alike.
  node scripts/shorten-import-names.mjs "$out/${name}_bg.wasm" "$out/$name.js"
  # `[Symbol.dispose]` typings need lib "esnext.disposable"; drop them so consumers on ES2022
  # libs compile. The runtime method is still there for `using`.
  sed -i '/\[Symbol.dispose\]/d' "$out/$name.d.ts"
  echo "built $out/${name}_bg.wasm ($(gzip -9c "$out/${name}_bg.wasm" | wc -c) bytes gzip)"
}

# Nothing to do when every input is what the last build into $out was made from: the sources,
# the templates, this script, the tool versions and the arguments.
stamp_file="target/pkg-stamps/$(echo "$out" | tr / _)"
stamp=$( {
  echo "$out $*"
  wasm-bindgen --version && rustc --version
  find src pkg-template Cargo.toml Cargo.lock LICENSE-MIT LICENSE-APACHE scripts/build-pkg.sh \
    scripts/dedupe-glue-imports.mjs scripts/bundle-node-entries.mjs scripts/shorten-import-names.mjs \
    scripts/package-lock.json -type f -print0 | sort -z | xargs -0 sha256sum
} | sha256sum | cut -d' ' -f1)
if [ -d "$out" ] && [ "$(cat "$stamp_file" 2>/dev/null)" = "$stamp" ]; then
  echo "$out/ is up to date (nothing it is built from changed)"
  exit 0
fi
# BUILD_PKG_DRY_RUN=1: only say whether a build is due (tests).
if [ -n "${BUILD_PKG_DRY_RUN:-}" ]; then
  echo "$out/ would be built"
  exit 0
fi

rm -rf "$out" "$stamp_file"
bind jwt_refresh release "$@"
if [ $# -eq 0 ]; then
  # The client does no cryptography and no hot loop: its profile optimizes for size only.
  bind jwt_refresh_client client --no-default-features --features browser
fi
cp pkg-template/* "$out/"
node scripts/bundle-node-entries.mjs "$out"
# The licenses the crate and the package are under (MIT OR Apache-2.0).
cp LICENSE-MIT LICENSE-APACHE "$out/"
mkdir -p "$(dirname "$stamp_file")"
echo "$stamp" > "$stamp_file"
