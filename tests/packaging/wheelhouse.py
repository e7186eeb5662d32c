"""What the packaging tests share: the wheelhouse that scripts/build-wheel
fills (target/wheelhouse, or PYQ_WHEELHOUSE), the wheels in it, and an environment
with neither Rust nor the network, where pip installs only from that
wheelhouse.

Run by scripts/test (after scripts/build-wheel) with
`target/pyenv/bin/python -m pytest tests/packaging`.
"""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
VERSION = re.search(r'^version = "([^"]+)"$', (ROOT / "Cargo.toml").read_text(encoding="utf-8"), re.M).group(1)
WHEELHOUSE = Path(os.environ.get("PYQ_WHEELHOUSE", ROOT / "target" / "wheelhouse"))
# Linux targets scripts/build-wheel builds, by the wheel's architecture tag.
ARCHES = {"x86_64": "x86_64-unknown-linux-gnu", "aarch64": "aarch64-unknown-linux-gnu"}


def wheel_for(arch):
    """The wheel of this version for `arch` in the wheelhouse, or None."""
    found = sorted(WHEELHOUSE.glob(f"pyq_cli-{VERSION}-py3-none-*manylinux*_{arch}.whl"))
    assert len(found) <= 1, f"more than one pyq_cli {VERSION} wheel for {arch}: {found}"
    return found[0] if found else None


def required_wheel(arch):
    """The wheel for `arch`: a failure when it was not built, since scripts/test and
    .ci/run build the wheels the tests need before running them."""
    wheel = wheel_for(arch)
    if wheel is None:
        target = "" if arch == os.uname().machine else f" --target {ARCHES[arch]}"
        pytest.fail(f"no pyq_cli {VERSION} wheel for {arch} in {WHEELHOUSE}: run scripts/build-wheel{target}")
    return wheel


def without_rust(wheelhouse, **extra):
    """os.environ with no Rust toolchain on PATH and pip confined to `wheelhouse`."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("CARGO", "RUSTUP", "RUSTC", "PIP_", "GITHUB_", "VIRTUAL_ENV"))}
    path = os.pathsep.join(p for p in ["/usr/local/bin", "/usr/bin", "/bin"] if os.path.isdir(p))
    assert shutil.which("cargo", path=path) is None and shutil.which("rustc", path=path) is None, path
    env |= {
        "PATH": path,
        "PIP_NO_INDEX": "1",
        "PIP_FIND_LINKS": str(wheelhouse),
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "PIP_CONFIG_FILE": os.devnull,
        "NO_COLOR": "1",
        **extra,
    }
    return env


def run(*args, env=None, cwd=None, check=True):
    p = subprocess.run([str(a) for a in args], env=env, cwd=cwd, capture_output=True, text=True)
    if check and p.returncode != 0:
        pytest.fail(f"{' '.join(map(str, args))} exited {p.returncode}\n{p.stdout}{p.stderr}")
    return p


def up_to_date():
    """What `pyq export --check` says first on the bundled bank: one export per
    committed file."""
    return f"{len(list((ROOT / 'exports').iterdir()))} exports are up to date"


def bank_copy(dest):
    """The bundled bank with its lock and committed exports, in `dest`."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in ("questions.yaml", "questions.pyq.lock"):
        shutil.copy(ROOT / name, dest / name)
    shutil.copytree(ROOT / "exports", dest / "exports")
    return dest


def report(capsys, line):
    """A measurement, printed in the test run's output."""
    with capsys.disabled():
        print(f"\n  [measured] {line}", file=sys.stderr)
