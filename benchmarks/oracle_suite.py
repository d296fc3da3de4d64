"""What the benchmarks share: the navigation suite run with the oracle, timed end to end."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def oracle_suite_seconds(cases: str | None, *options: str) -> tuple[float, Path]:
    """Wall time of ``pytest suites/navigation --model oracle OPTIONS`` and its run directory;
    exits, printing the tail of the output, unless every case passes."""
    run_dir = Path(tempfile.mkdtemp(prefix="bench-")) / "run"
    command = [sys.executable, "-m", "pytest", "suites/navigation", "-q", "-p",
               "no:cacheprovider", "--model", "oracle", "--run-dir", str(run_dir), *options,
               *(["--cases", cases] if cases else [])]
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"the oracle run ({' '.join(options)}) failed:\n{done.stdout[-2000:]}")
    return seconds, run_dir
