#!/usr/bin/env bash
# Compares builds of pyq on a re-export after one answer is edited, where a
# change's gain (a few percent) is smaller than this machine's drift between
# two runs: every round runs `pyq lint` (with the first build), then each
# build's re-export over a previous package that build exported itself, in
# turn; prints each build's median and minimum wall time and the median of
# the rounds' own re-export/lint ratios.
#
#   benches/compare.sh /tmp/pyq-old target/release/pyq
#   ROUNDS=80 KIND=realistic N=10000 benches/compare.sh /tmp/pyq-old /tmp/pyq-new
#
# The bank is `cargo bench --bench export -- <kind> <n>`'s; --no-config, as in
# benches/rounds.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 1 ] || { echo "usage: benches/compare.sh PYQ [PYQ...]" >&2; exit 2; }
kind=${KIND:-realistic}
n=${N:-10000}
rounds=${ROUNDS:-40}
PYQ=$1 . benches/setup.sh
builds=("$@")
for i in "${!builds[@]}"; do
  "${builds[$i]}" export --no-config --format anki "$work/bank.yaml" -o "$work/prev-$i" > /dev/null 2>&1
done
cp "$work/bank.pyq.lock" "$work/edited.pyq.lock"
python3 - "$work" "$rounds" "${builds[@]}" <<'PY'
import os, shutil, statistics, subprocess, sys, time
work, rounds, builds = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
quiet = dict(stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
def timed(args):
    start = time.perf_counter()
    subprocess.run(args, check=False, **quiet)
    return time.perf_counter() - start
lint, times = [], [[] for _ in builds]
for _ in range(rounds):
    lint.append(timed([builds[0], "lint", "--no-config", "--format", "concise", f"{work}/bank.yaml"]))
    for i, pyq in enumerate(builds):
        out = f"{work}/re"
        shutil.rmtree(out, ignore_errors=True)
        shutil.copytree(f"{work}/prev-{i}", out)
        # Flushed first: else the export's fsync of its package waits for the copy.
        os.sync()
        times[i].append(timed([pyq, "export", "--no-config", "--format", "anki", f"{work}/edited.yaml", "-o", out]))
print(f"lint       median {statistics.median(lint):.3f} s  ({rounds} rounds)")
for pyq, t in zip(builds, times):
    ratio = statistics.median(r / l for r, l in zip(t, lint))
    print(f"{pyq}: re-export median {statistics.median(t):.3f} s, min {min(t):.3f} s, "
          f"{ratio:.2f}x the lint (median of the rounds' ratios)")
PY
