#!/usr/bin/env bash
# Ratios that survive a machine whose speed drifts: runs `pyq lint`, a first
# `pyq export --format anki` and a re-export after one answer is edited in
# turn (with the cache a previous export left beside the bank, as a
# maintainer's next export has it, then with --no-cache, as on a fresh
# clone), ROUNDS times (12 by default), and prints each command's minimum and
# median wall time, the ratios to the lint of both, and the median of each
# round's own ratio.
#
#   benches/rounds.sh realistic 10000
#   PYQ=/tmp/pyq-old ROUNDS=20 benches/rounds.sh realistic 10000
#
# The banks are `cargo bench --bench export -- <kind> <n>`'s; --no-config, as
# in benches/table.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
kind=${1:-realistic}
n=${2:-10000}
rounds=${ROUNDS:-12}
. benches/setup.sh
$pyq export --no-config --format anki "$work/bank.yaml" -o "$work/prev" > /dev/null 2>&1
cp "$work/bank.pyq.lock" "$work/edited.pyq.lock"
: > "$work/times"
for _ in $(seq "$rounds"); do
  /usr/bin/time -f "lint %e" -a -o "$work/times" \
    $pyq lint --no-config --format concise "$work/bank.yaml" > /dev/null 2>&1 || true
  rm -rf "$work/out"
  sync
  /usr/bin/time -f "export %e" -a -o "$work/times" \
    $pyq export --no-config --format anki "$work/bank.yaml" -o "$work/out" > /dev/null 2>&1
  rm -rf "$work/re" && cp -a "$work/prev" "$work/re"
  # Flushed first: else the export's fsync of its package waits for the copy.
  sync
  /usr/bin/time -f "re-export %e" -a -o "$work/times" \
    $pyq export --no-config --format anki "$work/edited.yaml" -o "$work/re" > /dev/null 2>&1
  # The same without the cache (.pyq-cache beside the bank): the previous
  # package decompressed and read back, as on a fresh clone.
  rm -rf "$work/re" && cp -a "$work/prev" "$work/re"
  sync
  /usr/bin/time -f "re-export-no-cache %e" -a -o "$work/times" \
    $pyq export --no-config --format anki --no-cache "$work/edited.yaml" -o "$work/re" > /dev/null 2>&1
done
python3 - "$work/times" <<'PY'
import statistics, sys
times = {}
for line in open(sys.argv[1]):
    name, wall = line.split()
    times.setdefault(name, []).append(float(wall))
low = {k: min(v) for k, v in times.items()}
mid = {k: statistics.median(v) for k, v in times.items()}
for k in times:
    print(f"{k:18} min {low[k]:.2f} s  median {mid[k]:.2f} s  ({len(times[k])} runs)")
for k in ("export", "re-export", "re-export-no-cache"):
    # Each round's own ratio too: its runs are seconds apart, so a drift
    # of the machine's speed between rounds cancels out.
    rounds = statistics.median(e / l for e, l in zip(times[k], times["lint"]))
    print(f"{k}/lint: {low[k] / low['lint']:.2f}x (minimums), {mid[k] / mid['lint']:.2f}x (medians), "
          f"{rounds:.2f}x (median of the rounds' ratios)")
PY
