#!/usr/bin/env bash
# Bounded fuzz run of every target: fuzz/run.sh [SECONDS_PER_TARGET] (default 20).
#
# Seeds: the committed fuzz/seeds/<target>/ plus the repository's own inputs (scenarios/*.toml,
# tests/fixtures/**), copied into the working corpus fuzz/corpus/<target>/ (not committed).
# A crash stops the run with a non-zero status and leaves the input in fuzz/artifacts/<target>/;
# replay it with `RUSTC_BOOTSTRAP=1 cargo fuzz run -s none <target> <file>` (from fuzz/).
set -euo pipefail
cd "$(dirname "$0")"
secs="${1:-20}"
if ! cargo fuzz --version >/dev/null 2>&1; then
  cargo install cargo-fuzz --locked
fi
# cargo-fuzz passes nightly-only flags (-Z); this lets the stable toolchain accept them.
export RUSTC_BOOTSTRAP=1
# kinesim has no `unsafe` code: the address sanitizer adds build time and little else.
# Debug assertions and overflow checks stay on (cargo-fuzz's default without -O).
flags=(--sanitizer none)
for target in scenario trace cloudwatch; do
  corpus="corpus/$target"
  mkdir -p "$corpus"
  cp -n "seeds/$target"/* "$corpus"/
  case "$target" in
    scenario) find ../scenarios ../tests/fixtures -name '*.toml' -exec cp -n {} "$corpus"/ \; ;;
    trace) find ../tests/fixtures -name '*.csv' -exec cp -n {} "$corpus"/ \; ;;
    cloudwatch) find ../tests/fixtures -name '*.json' -exec cp -n {} "$corpus"/ \; ;;
  esac
  extra=()
  if [ -f "$target.dict" ]; then extra+=("-dict=$target.dict"); fi
  echo "fuzz: $target for ${secs}s"
  cargo fuzz run "${flags[@]}" "$target" "$corpus" -- \
    -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=16384 -print_final_stats=1 "${extra[@]}"
done
