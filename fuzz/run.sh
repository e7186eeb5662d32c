#!/usr/bin/env bash
# Runs one fuzz target for SECONDS on one core (nightly + cargo-fuzz):
#   fuzz/run.sh load_lint 600
#   fuzz/run.sh render 600
# Seeds: the hostile corpus, the fixtures and the bank's answers (see
# fuzz/README.md); crashes land in fuzz/artifacts/TARGET/.
set -euo pipefail
cd "$(dirname "$0")"
target=$1 seconds=${2:-600}
dict=yaml.dict
[ "$target" = render ] && dict=markdown.dict
mkdir -p "corpus/$target"
cargo +nightly fuzz run -O "$target" "corpus/$target" -- \
  -dict="$dict" -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
