"""The navigation suite end to end, as users run it: ``pytest suites/navigation -n 2 --model M``.

These runs use the fixture bank (``--bank``) to test the plugin's mechanics; that
every case of every committed bank is solvable, and none passes for free, is
``harness tasks validate``'s job (run by ``.ci/run``).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from harness.bank import load_bank
from harness.rundir import RunDir

REPO_ROOT = Path(__file__).resolve().parents[1]
BANK = load_bank(REPO_ROOT / "suites" / "navigation" / "bank.jsonl")
pytestmark = pytest.mark.slow


def suite_command(run_dir: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "pytest", "suites/navigation", "-n", "2", "-p",
            "no:cacheprovider", "--bank", str(BANK.path), "--run-dir", str(run_dir), *args]


def run_suite(run_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(suite_command(run_dir, *args), cwd=REPO_ROOT, capture_output=True,
                          text=True, timeout=1800)


def statuses(run_dir: Path) -> Counter[str]:
    return Counter(row.status for row in RunDir(run_dir).latest().values())


def test_the_oracle_resolves_every_case_and_the_gate_passes(tmp_path: Path) -> None:
    result = run_suite(tmp_path / "run", "--model", "oracle")
    assert result.returncode == 0, result.stdout[-3000:]
    assert f"{len(BANK.tasks)} passed" in result.stdout
    assert "navigation: PASS" in result.stdout
    assert statuses(tmp_path / "run") == {"resolved": len(BANK.tasks)}


def test_null_resolves_nothing_and_the_gate_fails_saying_why(tmp_path: Path) -> None:
    result = run_suite(tmp_path / "run", "--model", "null")
    assert result.returncode == 1
    assert f"{len(BANK.tasks)} failed" in result.stdout
    assert "navigation: FAIL" in result.stdout and "below the gate threshold" in result.stdout
    assert statuses(tmp_path / "run") == {"unresolved": len(BANK.tasks)}


def worker_pids(controller: int) -> list[int]:
    children = Path(f"/proc/{controller}/task/{controller}/children").read_text().split()
    return [int(pid) for pid in children]


def test_a_run_killed_mid_way_resumes_with_every_case_recorded_once(tmp_path: Path) -> None:
    """A worker dies mid-run and the run stops there; ``--resume`` finishes it.

    ``--max-worker-restart 0`` makes the dead worker end the run (as a killed job
    would): with restarts, xdist hands the dead worker's queue to a new one, and
    when the kill lands after the case was recorded nothing is left to resume.
    """
    run_dir = tmp_path / "run"
    process = subprocess.Popen(suite_command(run_dir, "--model", "oracle",
                                             "--max-worker-restart", "0"),
                               cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True)
    deadline = time.monotonic() + 600
    while len(RunDir(run_dir).results()) < 3 and time.monotonic() < deadline:
        time.sleep(0.2)
    victims = worker_pids(process.pid)
    assert victims, "no xdist worker to kill"
    os.kill(victims[0], signal.SIGKILL)
    first_output, _ = process.communicate(timeout=1800)
    assert process.returncode != 0, first_output[-2000:]
    assert "crashed" in first_output
    recorded_before = len(RunDir(run_dir).results())
    assert recorded_before < len(BANK.tasks)

    resumed = run_suite(run_dir, "--model", "oracle", "--resume")
    assert resumed.returncode == 0, resumed.stdout[-3000:]
    assert f"{recorded_before} skipped" in resumed.stdout
    rows = RunDir(run_dir).results()
    assert Counter(row.instance_id for row in rows) == {t.instance_id: 1 for t in BANK.tasks}
    assert all(row.status == "resolved" for row in rows)


def one_case_per_project() -> list[str]:
    """The first case of every project of the suite's banks (bugs and questions alike)."""
    first: dict[tuple[str, bool], str] = {}
    for bank in ("bank.jsonl", "pypi.jsonl"):
        for task in load_bank(REPO_ROOT / "suites" / "navigation" / bank).tasks:
            first.setdefault((task.repo, bool(task.expected_answer)), task.instance_id)
    return sorted(first.values())


@pytest.mark.docker
@pytest.mark.parametrize(("model", "status", "exit_code"), [("oracle", "resolved", 0),
                                                            ("null", "unresolved", 1)])
def test_the_suite_runs_in_containers(docker_engine: object, tmp_path: Path, model: str,
                                      status: str, exit_code: int) -> None:
    """``pytest suites/navigation -n 2 --sandbox docker``: both banks, one container per case."""
    cases = one_case_per_project()
    command = [sys.executable, "-m", "pytest", "suites/navigation", "-n", "2", "-p",
               "no:cacheprovider", "--run-dir", str(tmp_path / "run"), "--model", model,
               "--sandbox", "docker", "--cases", ",".join(cases)]
    result = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True,
                            timeout=1800)
    assert result.returncode == exit_code, result.stdout[-3000:]
    assert statuses(tmp_path / "run") == {status: len(cases)}
    meta = RunDir(tmp_path / "run").meta()
    assert (meta.sandbox, meta.isolation) == ("docker", "docker")
