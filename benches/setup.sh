# Sourced by benches/table.sh and benches/rounds.sh (after `cd` to the
# repository): with `kind` and `n` set, builds pyq unless PYQ names a
# binary, writes the bank if missing, and leaves in a temporary `work`
# folder (removed on exit) `bank.yaml` and `edited.yaml`, the same bank with
# one answer edited (a sentence appended to the first short answer past
# the middle). Sets `bank`, `pyq` and `work`.
bank=target/bench-banks/$kind-$n/questions.yaml
pyq=${PYQ:-target/release/pyq}
[ -n "${PYQ:-}" ] || cargo build --release --locked --quiet
if [ ! -f "$bank" ]; then
  cargo bench --bench export -- "$kind" "$n" > /dev/null
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$bank" "$work/bank.yaml"
python3 - "$work/bank.yaml" "$work/edited.yaml" <<'PY'
import sys
text = open(sys.argv[1], encoding="utf-8").read()
at = text.index("**Short answer:**", len(text) // 2)
end = text.index("\n", at)
open(sys.argv[2], "w", encoding="utf-8").write(text[:end] + " Edited once." + text[end:])
PY
