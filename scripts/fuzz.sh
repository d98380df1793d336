#!/usr/bin/env bash
# Fuzzes every parser that takes outside input (fuzz/fuzz_targets/), with cargo-fuzz on stable
# Rust (RUSTC_BOOTSTRAP=1 lets it pass the sanitizer flags).
#   fuzz.sh           smoke run: 12 s per target, no sanitizer (about a minute; in the test command)
#   fuzz.sh --long    at least 10 M executions per target, with AddressSanitizer; prints the
#                     figures that SECURITY.md records
# A crash leaves its input in fuzz/artifacts/<target>/ and fails the run; reproduce it with
#   RUSTC_BOOTSTRAP=1 cargo fuzz run <target> fuzz/artifacts/<target>/<file>
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH" RUSTC_BOOTSTRAP=1

mode=${1:-smoke}
case "$mode" in
  smoke) sanitizer=none; limit=(-max_total_time=12) ;;
  --long) sanitizer=address; limit=(-runs=10000000) ;;
  *) echo "usage: $0 [--long]" >&2; exit 2 ;;
esac

targets=$(cargo fuzz list)
# Debug assertions on: an integer overflow is a finding, as a panic is.
cargo fuzz build --sanitizer "$sanitizer" --debug-assertions
for target in $targets; do
  mkdir -p "fuzz/corpus/$target"
  log="target/fuzz-${mode#--}-$target.log"
  mkdir -p target
  if ! cargo fuzz run --sanitizer "$sanitizer" --debug-assertions "$target" \
    "fuzz/corpus/$target" "fuzz/seeds/$target" -- "${limit[@]}" -print_final_stats=1 >"$log" 2>&1; then
    tail -40 "$log"
    echo "fuzz: $target failed (input in fuzz/artifacts/$target/)" >&2
    exit 1
  fi
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  seconds=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -1)
  printf 'fuzz: %-16s %12s executions in %4s s, no crash\n' "$target" "$runs" "$seconds"
done
