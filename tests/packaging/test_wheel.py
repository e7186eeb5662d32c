"""pyq's wheels (scripts/build-wheel): small, tagged for the glibc they need,
the stripped binary alone; the native one installs with pip from a local
wheelhouse into a fresh virtual environment, with no Rust on PATH and no
network, and lints and exports the bundled bank; the cross-built aarch64 one
runs the same under qemu-user.
"""

import os
import shutil
import stat
import sys
import time
import zipfile
from email.parser import Parser

import pytest
from elftools.elf.elffile import ELFFile
from wheelhouse import (
    ARCHES, ROOT, VERSION, WHEELHOUSE, bank_copy, report, required_wheel, run, up_to_date, wheel_for,
    without_rust,
)

MAX_WHEEL = 6 * 1024 * 1024
NATIVE = os.uname().machine
# .ci/run builds both and sets this; a developer's scripts/test builds the native one.
REQUIRED = os.environ.get("PYQ_REQUIRE_WHEELS", NATIVE).split(",")
ELF_MACHINE = {"x86_64": "EM_X86_64", "aarch64": "EM_AARCH64"}


def wheels():
    return [pytest.param(arch, id=arch) for arch in ARCHES]


def wheel_or_skip(arch):
    if arch in REQUIRED:
        return required_wheel(arch)
    wheel = wheel_for(arch)
    if wheel is None:
        pytest.skip(f"no {arch} wheel in {WHEELHOUSE} (scripts/build-wheel --target {ARCHES[arch]})")
    return wheel


def binary_of(wheel, dest):
    """Extracts the wheel's `pyq` into `dest`, executable."""
    with zipfile.ZipFile(wheel) as z:
        data = z.read(f"pyq_cli-{VERSION}.data/scripts/pyq")
    path = dest / "pyq"
    path.write_bytes(data)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


@pytest.mark.parametrize("arch", wheels())
def test_the_wheel_is_small_tagged_and_holds_only_the_stripped_binary(arch, tmp_path, capsys):
    wheel = wheel_or_skip(arch)
    size = wheel.stat().st_size
    report(capsys, f"{wheel.name}: {size / 1e6:.2f} MB")
    assert size <= MAX_WHEEL, f"{wheel.name} is {size} bytes, over 6 MiB"
    assert wheel.name == f"pyq_cli-{VERSION}-py3-none-manylinux2014_{arch}.manylinux_2_17_{arch}.whl"

    with zipfile.ZipFile(wheel) as z:
        names = sorted(z.namelist())
        info = f"pyq_cli-{VERSION}.dist-info"
        # maturin adds the software bill of materials of the Rust build (CycloneDX).
        assert names == sorted([
            f"pyq_cli-{VERSION}.data/scripts/pyq",
            f"{info}/METADATA", f"{info}/RECORD", f"{info}/WHEEL", f"{info}/sboms/pyq.cyclonedx.json",
        ]), names
        meta = Parser().parsestr(z.read(f"{info}/METADATA").decode())
        wheel_file = Parser().parsestr(z.read(f"{info}/WHEEL").decode())
    assert (meta["Name"], meta["Version"]) == ("pyq-cli", VERSION)
    assert meta["Requires-Python"] == ">=3.8"
    assert wheel_file.get_all("Tag") == [f"py3-none-manylinux2014_{arch}", f"py3-none-manylinux_2_17_{arch}"]

    binary = binary_of(wheel, tmp_path)
    with binary.open("rb") as f:
        elf = ELFFile(f)
        assert elf["e_machine"] == ELF_MACHINE[arch]
        sections = {s.name for s in elf.iter_sections()}
    # Stripped: no symbol table, no debug info (.debug_gdb_scripts is rustc's few bytes
    # telling gdb where Rust's pretty-printers are, not debug info).
    debug = {s for s in sections if s.startswith(".debug") and s != ".debug_gdb_scripts"}
    assert ".symtab" not in sections and not debug, sorted(sections)

    # auditwheel, PyPA's own check, reads which glibc symbols the binary needs.
    audit = run(sys.executable, "-m", "auditwheel", "show", wheel)
    assert f'is consistent with the following platform tag: "manylinux_2_17_{arch}"' in " ".join(audit.stdout.split()), audit.stdout


def test_the_native_wheel_installs_without_rust_and_lints_and_exports_the_bank(tmp_path, capsys):
    wheel = required_wheel(NATIVE)
    env = without_rust(wheel.parent)
    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", venv, env=env)
    bank = bank_copy(tmp_path / "bank")

    start = time.perf_counter()
    run(venv / "bin" / "pip", "install", "--quiet", "pyq-cli", env=env)
    installed = time.perf_counter()
    lint = run(venv / "bin" / "pyq", "lint", "--deny", "warnings", "questions.yaml", env=env, cwd=bank)
    done = time.perf_counter()
    report(capsys, f"pip install pyq-cli (local wheelhouse): {installed - start:.2f} s; "
                   f"then pyq lint of the bundled bank: {done - installed:.2f} s; total {done - start:.2f} s")

    assert lint.stdout == "No problems found in questions.yaml.\n", lint.stdout
    pyq = shutil.which("pyq", path=str(venv / "bin"))
    assert pyq == str(venv / "bin" / "pyq")
    assert run(pyq, "--version", env=env).stdout == f"pyq {VERSION}\n"
    check = run(pyq, "export", "--check", env=env, cwd=bank)
    assert check.stdout.startswith(up_to_date()), check.stdout + check.stderr

    out = tmp_path / "out"
    written = run(pyq, "export", "--format", "markdown", "-o", out, "questions.yaml", env=env, cwd=bank)
    assert "(50 questions)" in written.stdout, written.stdout
    [md] = out.iterdir()
    assert md.read_bytes() == (bank / "exports" / md.name).read_bytes()


def test_the_aarch64_binary_runs_under_qemu(tmp_path):
    wheel = wheel_or_skip("aarch64")
    qemu = shutil.which("qemu-aarch64-static")
    sysroot = "/usr/aarch64-linux-gnu"  # Debian's libc6-arm64-cross and libgcc-s1-arm64-cross
    if qemu is None or not os.path.exists(f"{sysroot}/lib/ld-linux-aarch64.so.1"):
        pytest.fail("qemu-user and an aarch64 glibc are needed: "
                    "apt-get install qemu-user-static libc6-arm64-cross libgcc-s1-arm64-cross")
    binary = binary_of(wheel, tmp_path)
    bank = bank_copy(tmp_path / "bank")
    env = without_rust(WHEELHOUSE, QEMU_LD_PREFIX=sysroot)

    assert run(qemu, binary, "--version", env=env).stdout == f"pyq {VERSION}\n"
    lint = run(qemu, binary, "lint", "--deny", "warnings", "--format", "concise", env=env, cwd=bank)
    assert lint.stdout == "", lint.stdout
    check = run(qemu, binary, "export", "--check", env=env, cwd=bank)
    assert check.stdout.startswith(up_to_date()), check.stdout + check.stderr
    # A finding comes out the same as from the native build, at its line and column.
    (bank / "questions.yaml").write_text(
        (bank / "questions.yaml").read_text(encoding="utf-8").replace("\n    answer: ", "\n    anwser: ", 1),
        encoding="utf-8")
    broken = run(qemu, binary, "lint", "--format", "concise", env=env, cwd=bank, check=False)
    assert broken.returncode == 1, broken.stdout + broken.stderr
    assert "error[PYQ002] unknown-key: unknown key `anwser`" in broken.stdout, broken.stdout


def test_the_release_archive_is_where_cargo_binstall_looks(tmp_path):
    """scripts/package-archive.py names and lays out the archive as Cargo.toml's
    [package.metadata.binstall] templates say, with its SHA-256 beside it."""
    import hashlib
    import re
    import tarfile
    import tomllib

    binary = binary_of(required_wheel(NATIVE), tmp_path)
    target = ARCHES[NATIVE]
    env = dict(os.environ, SOURCE_DATE_EPOCH="1800000000")
    out = run(sys.executable, ROOT / "scripts" / "package-archive.py", target, binary, tmp_path / "a", env=env)
    archive = tmp_path / "a" / f"pyq-{target}-v{VERSION}.tar.gz"
    assert out.stdout.strip() == str(archive)

    meta = tomllib.loads((ROOT / "Cargo.toml").read_text(encoding="utf-8"))["package"]["metadata"]["binstall"]
    values = {"name": "pyq", "target": target, "version": VERSION, "bin": "pyq", "binary-ext": "",
              "archive-suffix": ".tar.gz", "repo": "https://github.com/OWNER/pyq"}
    def fill(template):
        return re.sub(r"\{ ([a-z-]+) \}", lambda m: values[m.group(1)], template)
    assert fill(meta["pkg-url"]).endswith(f"/releases/download/v{VERSION}/{archive.name}")
    assert meta["pkg-fmt"] == "tgz"
    with tarfile.open(archive) as tar:
        members = {m.name: m for m in tar.getmembers()}
        assert sorted(members) == sorted(f"pyq-{target}-v{VERSION}{s}" for s in
                                         ["", "/pyq", "/README.md", "/CHANGELOG.md"])
        entry = members[fill(meta["bin-dir"])]
        assert entry.mode == 0o755 and entry.mtime == 1800000000
        assert tar.extractfile(entry).read() == binary.read_bytes()
    digest = hashlib.sha256(archive.read_bytes()).hexdigest()
    assert (tmp_path / "a" / f"{archive.name}.sha256").read_text() == f"{digest}  {archive.name}\n"
    # The same inputs, the same bytes.
    run(sys.executable, ROOT / "scripts" / "package-archive.py", target, binary, tmp_path / "b", env=env)
    assert (tmp_path / "b" / archive.name).read_bytes() == archive.read_bytes()


def test_the_release_workflow_builds_with_the_tested_pins():
    """.github/requirements-build.txt (the release) pins what tests/requirements.txt
    (scripts/build-wheel, these tests) pins."""
    def pins(path):
        lines = (ROOT / path).read_text(encoding="utf-8").splitlines()
        return {line for line in lines if line and not line.startswith("#")}
    build = pins(".github/requirements-build.txt")
    assert {p.split("==")[0] for p in build} == {"maturin", "ziglang"}, build
    assert build <= pins("tests/requirements.txt")
