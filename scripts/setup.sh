#!/usr/bin/env bash
# Installs whatever is needed and missing; quick when all is there.
#   setup.sh build   the wasm toolchain and npm packages (enough for the demo)
#   setup.sh test    the same, plus browsers and their drivers (the default)
# Pinned: wasm-bindgen-cli = the wasm-bindgen version in Cargo.lock, geckodriver, npm lockfiles.
set -euo pipefail
cd "$(dirname "$0")/.."

export PATH="$HOME/.cargo/bin:$PATH"
GECKODRIVER_VERSION=0.37.1
MODE=${1:-test}
say() { printf '[setup] %s\n' "$*"; }

# Rust: the wasm targets and the lint tools. wasm32-wasip1 runs the native benchmark's Rust
# code as wasm in Node's V8 (the benchmark's wasm/native ratio of the same code).
for target in wasm32-unknown-unknown wasm32-wasip1; do
  if ! rustup target list --installed | grep -qx "$target"; then
    say "adding rustup target $target"
    rustup target add "$target"
  fi
done
for component in rustfmt clippy; do
  if ! rustup component list --installed | grep -q "^$component"; then
    rustup component add "$component"
  fi
done

# wasm-bindgen-cli must match the library exactly. Its own lockfile pins a crate version
# the registry here lacks, so `--locked` is tried first and then dropped.
bindgen_version=$(sed -n '/^name = "wasm-bindgen"$/{n;s/^version = "\(.*\)"$/\1/p;q}' Cargo.lock)
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$bindgen_version" ]; then
  say "installing wasm-bindgen-cli $bindgen_version (several minutes, once)"
  cargo install --locked wasm-bindgen-cli --version "=$bindgen_version" ||
    cargo install wasm-bindgen-cli --version "=$bindgen_version"
fi

install_browsers() {
# Browsers and drivers: Debian's Chromium + ChromeDriver, Firefox ESR, and WebKitGTK's WebDriver
# (MiniBrowser, Safari's engine) with Xvfb; geckodriver from crates.io; openssl; Redis and
# PostgreSQL.
missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v chromedriver >/dev/null || missing+=(chromium-driver)
command -v firefox-esr >/dev/null || missing+=(firefox-esr)
command -v WebKitWebDriver >/dev/null || missing+=(webkit2gtk-driver)
command -v xvfb-run >/dev/null || missing+=(xvfb)
# A throwaway TLS certificate for the demo in WebKit, which keeps no Secure cookie over http.
command -v openssl >/dev/null || missing+=(openssl)
# The Redis and PostgreSQL session stores are tested against real servers (started by the tests
# on 127.0.0.1, with throwaway data).
command -v redis-server >/dev/null || missing+=(redis-server)
command -v initdb >/dev/null || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${missing[*]} from Debian"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
fi
if [ "$(geckodriver --version 2>/dev/null | awk 'NR==1 {print $2}')" != "$GECKODRIVER_VERSION" ]; then
  say "installing geckodriver $GECKODRIVER_VERSION (a few minutes, once)"
  cargo install --locked geckodriver --version "=$GECKODRIVER_VERSION"
fi
}
# wasm-pack runs the wasm test suites (it uses the wasm-bindgen CLI and the drivers installed
# here; nothing is downloaded).
WASM_PACK_VERSION=0.15.1
install_wasm_pack() {
if [ "$(wasm-pack --version 2>/dev/null | awk '{print $2}')" != "$WASM_PACK_VERSION" ]; then
  say "installing wasm-pack $WASM_PACK_VERSION (a few minutes, once)"
  cargo install --locked wasm-pack --version "=$WASM_PACK_VERSION"
fi
}

# cargo-fuzz for the fuzz smoke run (scripts/fuzz.sh); it runs on stable with RUSTC_BOOTSTRAP=1.
CARGO_FUZZ_VERSION=0.13.2
install_fuzz() {
if [ "$(cargo fuzz --version 2>/dev/null | awk '{print $2}')" != "$CARGO_FUZZ_VERSION" ]; then
  say "installing cargo-fuzz $CARGO_FUZZ_VERSION (a minute, once)"
  cargo install --locked cargo-fuzz --version "=$CARGO_FUZZ_VERSION"
fi
command -v g++ >/dev/null || { apt-get update -qq && apt-get install -y -qq g++ >/dev/null; }
}
[ "$MODE" = build ] || install_browsers
[ "$MODE" = build ] || install_fuzz
[ "$MODE" = build ] || install_wasm_pack

# npm packages, from the lockfile; reinstalled only when the lockfile changes.
for dir in scripts www tests/js bench; do
  stamp="$dir/node_modules/.lock-stamp"
  want=$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    say "npm ci in $dir"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
    echo "$want" > "$stamp"
  fi
done
say "ready"
