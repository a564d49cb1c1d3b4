#!/usr/bin/env bash
# Bounded fuzz run of every target: fuzz/run.sh [SECONDS_PER_TARGET] (default 15).
#
# Seeds: the committed fuzz/seeds/<target>/ plus the repository's own inputs (scenarios/*.toml,
# tests/fixtures/**), copied into the working corpus fuzz/corpus/<target>/ (not committed).
# A crash stops the run with a non-zero status and leaves the input in fuzz/artifacts/<target>/;
# replay it with `RUSTC_BOOTSTRAP=1 cargo fuzz run -s none <target> <file>` (from fuzz/).
set -euo pipefail
cd "$(dirname "$0")"
secs="${1:-15}"
if ! cargo fuzz --version >/dev/null 2>&1; then
  cargo install cargo-fuzz --locked
fi
# cargo-fuzz passes nightly-only flags (-Z); this lets the stable toolchain accept them.
export RUSTC_BOOTSTRAP=1
# kinesim has no `unsafe` code: the address sanitizer adds build time and little else.
# Debug assertions and overflow checks stay on (cargo-fuzz's default without -O).
flags=(--sanitizer none)
# Copy files into a corpus folder, keeping what is there (`cp -n` exits non-zero on some
# coreutils versions when it skips a file).
seed() {
  local dest="$1" f
  shift
  for f in "$@"; do
    [ -e "$dest/$(basename "$f")" ] || cp "$f" "$dest/"
  done
}
for target in scenario simulate trace cloudwatch; do
  corpus="corpus/$target"
  mkdir -p "$corpus"
  case "$target" in
    scenario | simulate) ext=toml ;;
    trace) ext=csv ;;
    cloudwatch) ext=json ;;
  esac
  seed "$corpus" seeds/"$target"/*
  seed "$corpus" $(find ../scenarios ../tests/fixtures -name "*.$ext" | sort)
  extra=()
  case "$target" in scenario | simulate) extra+=("-dict=scenario.dict") ;; esac
  echo "fuzz: $target for ${secs}s"
  cargo fuzz run "${flags[@]}" "$target" "$corpus" -- \
    -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=16384 -print_final_stats=1 "${extra[@]}"
done
