#!/usr/bin/env bash
# Runs one fuzz target for SECONDS on one core (needs the nightly toolchain
# and `cargo install cargo-fuzz`):
#   fuzz/run.sh load_lint 600
#   fuzz/run.sh render 600
# The first run seeds fuzz/corpus/TARGET from files in the repository (the
# hostile corpus and fixtures for load_lint; the docs' Markdown and the XSS
# inputs for render). Crashes land in fuzz/artifacts/TARGET/: add each to
# tests/fuzz/TARGET/ once fixed, so `cargo test` replays it.
set -euo pipefail
cd "$(dirname "$0")"
target=$1 seconds=${2:-600}
corpus="corpus/$target"
if [ ! -d "$corpus" ]; then
  mkdir -p "$corpus"
  case $target in
    load_lint)
      cp ../tests/hostile/*.yaml ../tests/fixtures/*.yaml ../tests/fuzz/load_lint/* "$corpus/"
      cp ../questions.yaml "$corpus/bank.yaml"
      ;;
    render)
      cp ../docs/*.md ../README.md "$corpus/"
      i=0
      grep -v '^#' ../tests/xss/vectors.txt | while IFS= read -r line; do
        i=$((i + 1))
        printf '%s\n' "$line" > "$corpus/xss-$i.md"
      done
      ;;
  esac
fi
dict=yaml.dict
[ "$target" = render ] && dict=markdown.dict
cargo +nightly fuzz run -O "$target" "$corpus" -- \
  -dict="$dict" -max_total_time="$seconds" -max_len=65536 -timeout=10 \
  -rss_limit_mb=2048 -print_final_stats=1
