"""The ``harness`` command: eval through pytest, runs list/show, help with examples."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest


def harness(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "harness", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=600)


@pytest.mark.parametrize("command", [
    ["eval"], ["runs", "show"], ["runs", "list"], ["images"], ["images", "build"],
    ["images", "list"], ["images", "prune"], ["capabilities"]])
def test_every_command_has_help_with_examples(command: list[str], tmp_path: Path) -> None:
    result = harness(*command, "--help", cwd=tmp_path)
    assert result.returncode == 0 and "examples:" in result.stdout


def test_eval_runs_the_suite_and_runs_show_summarises_it(tmp_path: Path,
                                                          tiny_suite_module: str) -> None:
    suite = tmp_path / "suites" / "tiny"
    suite.mkdir(parents=True)
    (suite / "test_tiny.py").write_text(tiny_suite_module)
    run_dir = tmp_path / "runs" / "first"
    result = harness("eval", "--suite", "tiny", "--model", "null", "-n", "0", "--",
                     "--run-dir", str(run_dir), "-p", "no:cacheprovider", cwd=tmp_path)
    assert result.returncode == 1, result.stdout[-2000:]
    assert "navigation: FAIL" in result.stdout
    shown = harness("runs", "show", str(run_dir), cwd=tmp_path)
    assert shown.returncode == 0
    assert "model      null" in shown.stdout and "0/3 resolved" in shown.stdout
    assert "calc-002" in shown.stdout and "no change submitted" in shown.stdout
    listed = harness("runs", "list", cwd=tmp_path)
    assert "first" in listed.stdout and "0/3 resolved" in listed.stdout


def test_capabilities_lists_navigation_and_what_it_declares() -> None:
    root = Path(__file__).resolve().parents[1]
    listed = harness("capabilities", cwd=root)
    assert listed.returncode == 0 and listed.stdout.startswith("navigation ")
    shown = harness("capabilities", "navigation", cwd=root)
    assert shown.returncode == 0
    for expected in ("bank.jsonl (43 cases)", "answer (ExactAnswer), tests (HiddenTests)",
                     "harness.capabilities.navigation.navigation_scores",
                     "files_found (harness.capabilities.navigation.files_found)",
                     "NavigationExpectations: files", "pass rate >= 50%"):
        assert expected in shown.stdout, shown.stdout
    unknown = harness("capabilities", "planing", cwd=root)
    assert unknown.returncode == 2 and "no capability named 'planing'" in unknown.stderr


def test_errors_say_what_to_do(tmp_path: Path) -> None:
    missing = harness("eval", "--suite", "nope", cwd=tmp_path)
    assert missing.returncode == 2 and "no suite 'nope'" in missing.stderr
    not_a_run = harness("runs", "show", str(tmp_path), cwd=tmp_path)
    assert not_a_run.returncode == 2 and "not a run directory" in not_a_run.stderr


def test_image_disk_use_counts_each_layer_once() -> None:
    from harness.cli_images import disk_use, human_size
    from harness.sandbox.images import ImageInfo

    def image(id: str, kind: str, size: int, parent: str = "") -> ImageInfo:
        return ImageInfo(id=id, kind=kind, tags=(), key="", name="", size=size, parent=parent)

    mib = 1 << 20
    images = [image("b", "base", 300 * mib), image("e", "environment", 340 * mib, "b"),
              image("i1", "instance", 341 * mib, "e"), image("i2", "instance", 342 * mib, "e")]
    assert disk_use(images) == ("disk use: base 1 (300.0 MiB), environment 1 (40.0 MiB), "
                                "instance 2 (3.0 MiB); 343.0 MiB in all")
    assert disk_use([]) == "disk use: no harness images"
    assert [human_size(n) for n in (512, 1536, 3 << 30)] == ["512 B", "1.5 KiB", "3.0 GiB"]
