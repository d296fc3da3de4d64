"""coverage.py for a sandbox's own interpreter, packed to run there.

A row's environment has its own Python (SWE-bench images range from 3.6 to 3.11), and a
coverage.py release supports only some of them. The kit carries the newest release that
supports the sandbox's interpreter: this process's own copy when the versions match, else
a wheel for that version fetched once with the host's pip and kept under
``$HARNESS_CACHE/coverage``. A ``sitecustomize`` starts it in every Python process of the
test command (``COVERAGE_PROCESS_START``). Where no release can be had, the kit carries
none and coverage is simply not measured.
"""

from __future__ import annotations

import importlib.util
import io
import os
import platform
import shutil
import sys
import tarfile
import tempfile
import zipfile
from collections.abc import Sequence
from pathlib import Path

from harness.errors import SandboxError
from harness.grading.patches import file_diffs
from harness.protocols import Sandbox
from harness.sandbox.environments import download_packages
from harness.sources import cache_root

SITECUSTOMIZE = (
    "try:\n    import coverage\n    coverage.process_startup()\n"
    "except Exception:  # an interpreter this coverage.py does not support: no coverage\n"
    "    pass\n")
_VERSION = "python -c 'import sys; print(\"%d.%d\" % sys.version_info[:2])'"


def interpreter_version(sandbox: Sandbox, preamble: Sequence[str]) -> str | None:
    """``major.minor`` of the ``python`` the row's environment set-up (``preamble``) puts
    first on PATH; None when it cannot be told."""
    script = "\n".join([*preamble, _VERSION])
    result = sandbox.exec(["bash", "-c", f"{{ {script} ; }} 2>/dev/null | tail -n 1"],
                          timeout=120)
    version = result.stdout.strip()
    return version if result.ok and version.count(".") == 1 else None


def coverage_package(version: str | None) -> Path | None:
    """The ``coverage`` package directory for Python ``version`` (this interpreter's own when
    it matches or is unknown), fetched and cached once; None when none can be had."""
    here = f"{sys.version_info.major}.{sys.version_info.minor}"
    if version is None or version == here:
        spec = importlib.util.find_spec("coverage")
        locations = spec.submodule_search_locations if spec else None
        return Path(next(iter(locations))) if locations else None
    target = cache_root() / "coverage" / f"cp{version.replace('.', '')}-{platform.machine()}"
    if not (target / "coverage" / "__init__.py").is_file():
        try:
            _fetch(version, target)
        except (SandboxError, OSError, zipfile.BadZipFile, StopIteration):
            return None
    return target / "coverage"


def _fetch(version: str, target: Path) -> None:
    """Unpack the newest coverage wheel for CPython ``version`` into ``target`` (atomically:
    a concurrent fetch of the same version keeps whichever finished first)."""
    machine = platform.machine()
    tags = [f"--platform={tag}_{machine}" for tag in
            ("manylinux2014", "manylinux_2_17", "manylinux_2_28", "manylinux2010", "manylinux1",
             "manylinux_2_5")]
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as scratch:
        wheels = Path(scratch) / "wheels"
        download_packages(["coverage"], wheels, "--no-deps", "--only-binary=:all:",
                          f"--python-version={version}", "--implementation=cp", *tags)
        wheel = next(wheels.glob("coverage-*.whl"))
        unpacked = Path(scratch) / "unpacked"
        with zipfile.ZipFile(wheel) as archive:
            archive.extractall(unpacked, [n for n in archive.namelist()
                                          if n.startswith("coverage/")])
        try:
            os.rename(unpacked, target)
        except OSError:
            if not (target / "coverage" / "__init__.py").is_file():
                shutil.rmtree(target, ignore_errors=True)
                os.rename(unpacked, target)


def coverage_kit(kit: str, workdir: str, gold_patch: str, package: Path | None) -> bytes:
    """A tar to unpack at ``kit``: coverage.py (``package``; none when None), the
    ``sitecustomize`` that starts it, and its configuration: measure the Python files the
    gold patch changes, one data file per process."""
    files = sorted({f"{workdir}/{path}" for diff in file_diffs(gold_patch)
                    for path in (diff.old_path, diff.path) if path.endswith(".py")})
    include = "".join(f"\n    {path}" for path in files) or "\n    /nonexistent"
    rc = f"[run]\nparallel = true\ndata_file = {kit}/data/cov\ninclude ={include}\n"
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        if package is not None:
            tar.add(package, arcname="coverage",
                    filter=lambda info: None if "__pycache__" in info.name else info)
        for name, text in (("sitecustomize.py", SITECUSTOMIZE), ("coveragerc", rc),
                           ("data/.keep", "")):
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()
