#!/usr/bin/env bash
# The figures of issue #15 and the README's performance table, measured on
# the release binary: for a generated bank, the lint, a first export, a
# re-export after one answer is edited (with the cache the previous export
# left beside the bank, then with --no-cache), the same after nothing changed, and
# optionally the Python pipeline; each the best of RUNS runs (wall seconds,
# user+sys CPU seconds, peak RSS), with the bank's size.
#
#   benches/table.sh realistic 10000          # writes the bank if missing
#   PYTHON=target/bench-py/bin/python benches/table.sh realistic 10000
#   PYQ=/tmp/pyq-old benches/table.sh realistic 10000   # another build of pyq
#
# The banks are `cargo bench --bench export -- <kind> <n>`'s (target/bench-banks);
# the runs use --no-config, so this repository's pyq.toml (its writing rules)
# does not apply to them. Quiet machine wanted: the figures are wall-clock.
set -euo pipefail
cd "$(dirname "$0")/.."
kind=${1:-realistic}
n=${2:-10000}
runs=${RUNS:-5}
. benches/setup.sh

# best LABEL SETUP COMMAND...: runs SETUP then COMMAND `runs` times and
# prints the best wall time with its CPU time and the highest peak RSS.
best() {
  local label=$1 setup=$2
  shift 2
  local out="$work/time" count=${BEST_RUNS:-$runs}
  : > "$out.all"
  for _ in $(seq "$count"); do
    # Flushed first, so that the timed command's fsync does not wait for
    # the set-up's writes.
    eval "$setup" && sync
    /usr/bin/time -f "%e %U %S %M" -o "$out" "$@" > /dev/null 2>&1 || true
    tail -1 "$out" >> "$out.all"
  done
  sort -n "$out.all" | awk -v label="$label" -v runs="$count" 'NR == 1 { w = $1; c = $2 + $3 } { if ($4 > m) m = $4 }
    END { printf "%-34s %7.2f s wall %7.2f s cpu %7.0f MB peak  (best of %d)\n", label, w, c, m / 1024, runs }'
}

size=$(stat -c %s "$bank")
awk -v b="$bank" -v n="$n" -v s="$size" 'BEGIN { printf "bank: %s, %d questions, %.1f MB\n", b, n, s / 1e6 }'
best "pyq lint" ":" $pyq lint --no-config --format concise "$work/bank.yaml"
# The default report (miette's, with source excerpts) of the same findings.
best "pyq lint (default report)" ":" $pyq lint --no-config "$work/bank.yaml"
best "pyq export --format anki (first)" "rm -rf $work/out" \
  $pyq export --no-config --format anki "$work/bank.yaml" -o "$work/out"
# The previous package for the re-exports: the bank's own export.
rm -rf "$work/prev" && $pyq export --no-config --format anki "$work/bank.yaml" -o "$work/prev" > /dev/null 2>&1
cp "$work/bank.pyq.lock" "$work/edited.pyq.lock"
best "re-export, one answer edited" "rm -rf $work/re && cp -r $work/prev $work/re" \
  $pyq export --no-config --format anki "$work/edited.yaml" -o "$work/re"
best "re-export, one edit, --no-cache" "rm -rf $work/re && cp -r $work/prev $work/re" \
  $pyq export --no-config --format anki --no-cache "$work/edited.yaml" -o "$work/re"
best "re-export, nothing changed" "rm -rf $work/re && cp -r $work/prev $work/re" \
  $pyq export --no-config --format anki "$work/bank.yaml" -o "$work/re"
if [ -n "${PYTHON:-}" ]; then
  BEST_RUNS=1 best "Python pipeline" ":" "$PYTHON" benches/python_pipeline.py "$work/bank.yaml"
fi
