"""Packs a built pyq binary into the release archive for its target, named the
way cargo-binstall looks for it (Cargo.toml's [package.metadata.binstall]):

    pyq-<target>-v<version>.tar.gz   (.zip for Windows)
      pyq-<target>-v<version>/pyq    (pyq.exe), README.md, CHANGELOG.md

and writes `<archive>.sha256` beside it (`sha256sum -c` reads it). The archive
is the same bytes for the same inputs: entries sorted, owner root, times
SOURCE_DATE_EPOCH (or 0). Prints the archive's path.

Usage: python scripts/package-archive.py TARGET BINARY OUTDIR
Used by .github/workflows/release.yml; tested in tests/packaging/.
"""

import gzip
import hashlib
import io
import os
import re
import sys
import tarfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def version():
    text = (ROOT / "Cargo.toml").read_text(encoding="utf-8")
    return re.search(r'^version = "([^"]+)"$', text, re.M).group(1)


def main(target, binary, outdir):
    windows = "windows" in target
    base = f"pyq-{target}-v{version()}"
    stamp = int(os.environ.get("SOURCE_DATE_EPOCH", "0"))
    files = [
        (f"{base}/pyq{'.exe' if windows else ''}", Path(binary).read_bytes(), 0o755),
        (f"{base}/README.md", (ROOT / "README.md").read_bytes(), 0o644),
        (f"{base}/CHANGELOG.md", (ROOT / "CHANGELOG.md").read_bytes(), 0o644),
    ]
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    if windows:
        archive = out / f"{base}.zip"
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
            for name, data, mode in sorted(files):
                info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
                info.external_attr = (0o100000 | mode) << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                z.writestr(info, data)
    else:
        archive = out / f"{base}.tar.gz"
        with gzip.GzipFile(fileobj=buffer, mode="wb", compresslevel=9, mtime=stamp) as gz:
            with tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as tar:
                directory = tarfile.TarInfo(base)
                directory.type, directory.mode, directory.mtime = tarfile.DIRTYPE, 0o755, stamp
                tar.addfile(directory)
                for name, data, mode in sorted(files):
                    info = tarfile.TarInfo(name)
                    info.size, info.mode, info.mtime = len(data), mode, stamp
                    tar.addfile(info, io.BytesIO(data))
    archive.write_bytes(buffer.getvalue())
    digest = hashlib.sha256(buffer.getvalue()).hexdigest()
    Path(f"{archive}.sha256").write_text(f"{digest}  {archive.name}\n", encoding="utf-8")
    print(archive)


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit("usage: python scripts/package-archive.py TARGET BINARY OUTDIR")
    main(*sys.argv[1:])
