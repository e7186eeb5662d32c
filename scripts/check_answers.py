#!/usr/bin/env python3
"""Check answers against the bank's writing rules and run their code.

Usage: scripts/check_answers.py [--no-run] --bank questions.yaml   (needs PyYAML)
       scripts/check_answers.py [--no-run] FILE.md [FILE.md ...]

--no-run checks only the writing rules; `pyq check-code` is the tool that runs
the bank's code (scripts/test uses both).


For every file: starts with **Short answer:**, prose word count 120-250, at most
two fenced blocks, each <= 15 lines and <= 79 columns with a language tag; every
```python block not marked as a fragment runs in a fresh `python3 -I` (10 s limit).
Info strings: ```python fragment | ```python requires=pkg[,pkg] | ```python raises=Exc.
A first line `# fragment` also skips the block.
"""
import importlib.util
import re
import subprocess
import sys
import tempfile

FENCE = re.compile(r"^```(.*)$")


def blocks(text):
    out, cur, info, start = [], None, None, 0
    for i, line in enumerate(text.splitlines(), 1):
        m = FENCE.match(line)
        if m and cur is None:
            cur, info, start = [], m.group(1).strip(), i
        elif line.strip() == "```" and cur is not None:
            out.append((info, start, cur))
            cur = None
        elif cur is not None:
            cur.append(line)
    if cur is not None:
        out.append((info, start, None))
    return out


def prose_words(text):
    text = re.sub(r"```.*?```", " ", text, flags=re.S)
    return len(re.findall(r"[A-Za-z0-9_$`'.-]+", text))


RUN = True


def check(path, text=None, first_line=1):
    """Problems in one answer; `first_line` is the answer's first line in its file."""
    if text is None:
        text = open(path, encoding="utf-8").read()
    problems, ran, skipped = [], 0, 0
    if not text.startswith("**Short answer:**"):
        problems.append("does not start with **Short answer:**")
    n = prose_words(text)
    if not 120 <= n <= 260:
        problems.append(f"prose is {n} words (want about 120-250)")
    if re.search(r"<[a-zA-Z/][^>]*>", re.sub(r"```.*?```|`[^`]*`", "", text, flags=re.S)):
        problems.append("raw HTML-looking text outside code (wrap it in backticks)")
    if re.search(r"(?<![`\w])__\w+__(?![`\w])", re.sub(r"```.*?```|`[^`]*`", "", text, flags=re.S)):
        problems.append("a __dunder__ outside a code span (Markdown makes it bold)")
    bs = blocks(text)
    if len(bs) > 2:
        problems.append(f"{len(bs)} code blocks (at most 2)")
    for info, start, body in bs:
        if body is None:
            problems.append(f"line {start + first_line - 1}: unclosed fence")
            continue
        words = info.split()
        if not words:
            problems.append(f"line {start + first_line - 1}: fence without a language tag")
            continue
        if len(body) > 15:
            problems.append(f"line {start + first_line - 1}: block has {len(body)} lines (max 15)")
        for j, l in enumerate(body, 1):
            if len(l) > 79:
                problems.append(f"line {start + first_line - 1 + j}: {len(l)} columns (max 79)")
        if words[0] not in ("python", "py") or not RUN:
            continue
        opts = dict(w.split("=", 1) if "=" in w else (w, "") for w in words[1:])
        if "fragment" in opts or (body and body[0].strip() == "# fragment"):
            skipped += 1
            continue
        missing = [r for r in opts.get("requires", "").split(",") if r and importlib.util.find_spec(r) is None]
        if missing:
            print(f"  {path}:{start + first_line - 1}: skipped, requires {', '.join(missing)} (not installed)")
            skipped += 1
            continue
        with tempfile.TemporaryDirectory() as d:
            try:
                p = subprocess.run([sys.executable, "-I", "-c", "\n".join(body)], cwd=d,
                                   capture_output=True, text=True, timeout=10, stdin=subprocess.DEVNULL)
            except subprocess.TimeoutExpired:
                problems.append(f"line {start + first_line - 1}: timed out")
                continue
        ran += 1
        want = opts.get("raises")
        if want:
            last = (p.stderr.strip().splitlines() or [""])[-1]
            if p.returncode == 0 or not re.match(rf"({re.escape(want)}|\w+\.{re.escape(want)})(:|$)", last):
                problems.append(f"line {start + first_line - 1}: expected {want}, got: {last or 'exit 0'}")
        elif p.returncode != 0:
            problems.append(f"line {start + first_line - 1}: exit {p.returncode}: {p.stderr.strip()[-400:]}")
    return problems, ran, skipped


def bank_answers(path):
    """(name, answer, first line) for each question of a bank."""
    import yaml

    root = yaml.compose(open(path, encoding="utf-8"))
    top = {k.value: v for k, v in root.value}
    for item in top["questions"].value:
        fields = {k.value: v for k, v in item.value}
        node = fields["answer"]
        # A `|` block's content starts on the line after the indicator.
        first = node.start_mark.line + (2 if node.style == "|" else 1)
        yield f"{path} question {fields['number'].value} ({fields['id'].value})", node.value, first


def main():
    global RUN
    args = sys.argv[1:]
    if args[:1] == ["--no-run"]:
        RUN = False
        args = args[1:]
    if args[:1] == ["--bank"]:
        items = list(bank_answers(args[1]))
    else:
        items = [(p, None, 1) for p in args]
    bad = total_ran = total_skipped = 0
    for name, text, first_line in items:
        problems, ran, skipped = check(name, text, first_line)
        total_ran += ran
        total_skipped += skipped
        status = "ok" if not problems else "FAIL"
        print(f"{status} {name} ({ran} ran, {skipped} skipped)")
        for p in problems:
            print(f"  - {p}")
        bad += bool(problems)
    print(f"code blocks: {total_ran} ran, {total_skipped} skipped")
    print(f"answers: {len(items) - bad} passed, {bad} failed")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
