"""What the harness's pytest plugin costs a pytest run that does not use it.

Every pytest run in an environment where the harness is installed loads
``harness.pytest_plugin`` (a ``pytest11`` entry point). This times a one-test
pytest run with the plugin and without it (``-p no:harness``), and the import of
the plugin module alone (``python -X importtime``).

    python benchmarks/plugin_import.py [--repeat 7]
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def pytest_seconds(directory: Path, *extra: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *extra,
                    "test_plain.py"], cwd=directory, check=True, capture_output=True)
    return time.perf_counter() - started


def import_microseconds(module: str) -> int:
    """Cumulative import time of ``module`` as ``-X importtime`` reports it."""
    report = subprocess.run([sys.executable, "-X", "importtime", "-c", f"import {module}"],
                            capture_output=True, text=True, check=True).stderr
    for line in report.splitlines():
        match = re.match(r"import time:\s+\d+ \|\s+(\d+) \| (\s*)(\S+)$", line)
        if match and match.group(3) == module:
            return int(match.group(1))
    raise SystemExit(f"{module} not in the import report")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=7, help="runs of each (default 7)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        directory = Path(scratch)
        (directory / "test_plain.py").write_text("def test_one():\n    assert True\n")
        pytest_seconds(directory)  # warm the file cache
        with_plugin: list[float] = []
        without: list[float] = []
        for _ in range(args.repeat):  # alternate, so drift in the machine's load hits both
            with_plugin.append(pytest_seconds(directory))
            without.append(pytest_seconds(directory, "-p", "no:harness"))
    plugin, baseline = statistics.median(with_plugin), statistics.median(without)
    print(f"pytest run of one test, median of {args.repeat}:")
    print(f"  with the harness plugin      {plugin:.3f} s")
    print(f"  without it (-p no:harness)   {baseline:.3f} s")
    print(f"  ratio                        {plugin / baseline:.2f}x "
          f"({(plugin - baseline) * 1000:+.0f} ms)")
    for module in ("pytest", "harness.pytest_plugin", "harness.pytest_session"):
        print(f"import {module:<24} {import_microseconds(module) / 1000:.1f} ms (cumulative)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
