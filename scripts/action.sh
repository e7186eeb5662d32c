#!/usr/bin/env bash
# The GitHub Action's step (action.yml): installs pyq's prebuilt wheel (the
# `pyq-cli` distribution) with pip into a virtual environment of its own, puts
# `pyq` on the job's PATH, and runs it with the action's arguments.
#
# Inputs, as action.yml passes them:
#   INPUT_VERSION  `0.1.0` (a leading `v` is allowed), `latest`, or empty: the
#                  version of the action itself (Cargo.toml beside action.yml)
#   INPUT_ARGS     pyq's arguments, split at whitespace; empty: install only
#   INPUT_WORKING_DIRECTORY  where pyq runs
# From the runner: GITHUB_ACTION_PATH, RUNNER_TEMP, GITHUB_PATH, GITHUB_OUTPUT.
# pip's own settings apply (PIP_INDEX_URL, PIP_FIND_LINKS, PIP_NO_INDEX...):
# the tests install from a local wheelhouse that way.
set -euo pipefail

action_path=${GITHUB_ACTION_PATH:-$(cd "$(dirname "$0")/.." && pwd)}
version=${INPUT_VERSION-}
version=${version#v}

error() {
  # An annotation on the run, and the same words in the log.
  echo "::error title=pyq action::$1"
  exit 1
}

if [ -z "$version" ]; then
  version=$(sed -n 's/^version = "\(.*\)"$/\1/p' "$action_path/Cargo.toml" | head -n 1)
  [ -n "$version" ] || error "no version in $action_path/Cargo.toml: set the action's \`version\` input"
fi
if [ "$version" = latest ]; then
  requirement=pyq-cli
elif [[ $version =~ ^[0-9]+(\.[0-9]+)*((a|b|rc)[0-9]+)?(\.post[0-9]+)?(\.dev[0-9]+)?$ ]]; then
  requirement=pyq-cli==$version
else
  error "version \`$version\` is not a version of pyq: use a release number like 0.1.0, or \`latest\`"
fi

python=""
for candidate in python3 python; do
  if command -v "$candidate" > /dev/null && "$candidate" -c 'import sys; assert sys.version_info >= (3, 8)' 2> /dev/null; then
    python=$candidate
    break
  fi
done
[ -n "$python" ] || error "pyq's action needs Python 3.8 or newer on the runner (actions/setup-python)"

venv=${RUNNER_TEMP:-${TMPDIR:-/tmp}}/pyq-action-venv
bin=$venv/bin
if [ -d "$venv/Scripts" ]; then bin=$venv/Scripts; fi
if [ "$version" != latest ] && [ -x "$bin/pyq" ] && [ "$("$bin/pyq" --version)" = "pyq $version" ]; then
  # An earlier step of the job installed this version: a second `uses:` costs nothing.
  echo "pyq $version is installed in $bin"
else
  rm -rf "$venv"
  "$python" -m venv "$venv"
  if [ -d "$venv/Scripts" ]; then bin=$venv/Scripts; fi
  log=$(mktemp)
  trap 'rm -f "$log"' EXIT
  if ! "$bin/python" -m pip install --disable-pip-version-check --no-input --quiet "$requirement" > "$log" 2>&1; then
    cat "$log"
    # pip: "Could not find a version that satisfies the requirement pyq-cli==9.9.9 (from versions: 0.1.0, 0.2.0)"
    available=$(sed -n 's/.*(from versions: \(.*\))$/\1/p' "$log" | head -n 1)
    if [ "$available" = none ]; then
      error "pyq-cli is not on the package index pip uses (PIP_INDEX_URL, PIP_FIND_LINKS), in no version"
    elif [ -n "$available" ]; then
      error "pyq $version is not on the package index (pyq-cli versions there: $available): set the action's \`version\` input to one of them"
    fi
    error "pip could not install $requirement (the log above says why)"
  fi
  echo "pyq $("$bin/pyq" --version | cut -d' ' -f2) installed in $bin"
fi

installed=$("$bin/pyq" --version | cut -d' ' -f2)
if [ -n "${GITHUB_PATH-}" ]; then echo "$bin" >> "$GITHUB_PATH"; fi
if [ -n "${GITHUB_OUTPUT-}" ]; then echo "version=$installed" >> "$GITHUB_OUTPUT"; fi

read -r -a args <<< "${INPUT_ARGS-}"
if [ ${#args[@]} -eq 0 ]; then
  exit 0
fi
cd "${INPUT_WORKING_DIRECTORY:-.}"
echo "pyq ${args[*]}"
exec "$bin/pyq" "${args[@]}"
