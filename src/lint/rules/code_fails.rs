//! PYQ501 `code-fails` (reported by `pyq check-code`, not by `pyq lint`).

/// What `pyq rules code-fails` prints.
pub(crate) const EXPLANATION: &str = "\
## What it does
Reported by `pyq check-code`, which runs every fenced Python block of every answer in its own
fresh interpreter (`python3 -I`, a temporary folder, standard input closed, a time limit, a
sandbox with resource limits and no network). A block fails when it exits with an error, when
it does not finish in time, when it exceeds a limit (docs/limits.md), or, for a block
declared ```` ```python raises=ValueError ````, when it does not end with exactly that
exception. The finding points at the line the traceback names, inside the YAML file.

## Why is this bad?
An interview bank whose examples do not run teaches the wrong thing, and learners copy the
code.

## Example
````yaml
answer: |
  ```python
  assert sorted([3, 1, 2]) == [1, 2, 3, 4]
  ```
````

Use instead: fix the code or its expected outcome. Mark a block that cannot run on its own
```` ```python fragment ```` (or start it with `# fragment`), declare third-party modules with
```` ```python requires=sqlalchemy ````, and a block that is meant to fail with
```` ```python raises=KeyError ````. See docs/check-code.md.";
