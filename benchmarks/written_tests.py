"""What grading a written test costs next to running it once.

For the first case of each testing grader in ``suites/testing/pypi.jsonl``: the oracle's
episode, then its submission graded (two sandboxes of three runs each, the base runs,
and for TDD the hidden tests), against one plain run of the same test files in one
sandbox. Prints seconds and the ratio.

    python benchmarks/written_tests.py [--cases N]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from harness.bank import load_bank
from harness.capabilities import get_capability
from harness.grading.grader import apply_patch_text
from harness.grading.patches import touched_files
from harness.grading.pytest_run import run_under_channel
from harness.run_config import RunConfig
from harness.runner import open_sandbox, run_episode

BANK = Path(__file__).resolve().parents[1] / "suites" / "testing" / "pypi.jsonl"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1, help="cases per grader")
    args = parser.parse_args()
    tasks = load_bank(BANK).tasks
    config = RunConfig(model="oracle")
    print(f"{'case':58} {'episode':>8} {'grading':>8} {'one run':>8} {'ratio':>6}")
    for grader in ("reproduction", "tdd", "coverage_gap"):
        for task in [t for t in tasks if t.grader == grader][:args.cases]:
            capability = get_capability(task.capability)
            sandboxes = open_sandbox(task, config)
            started = time.perf_counter()
            trajectory = run_episode(task, capability, config, sandboxes)
            episode = time.perf_counter() - started
            assert trajectory.submission is not None
            started = time.perf_counter()
            outcome = capability.grader_for(task).grade(task, trajectory.submission,
                                                        sandboxes, 600)
            grading = time.perf_counter() - started
            tests = [p for p in touched_files(task.test_patch) if p.endswith(".py")]
            with sandboxes() as sandbox:
                apply_patch_text(sandbox, task.test_patch)
                started = time.perf_counter()
                run_under_channel(sandbox, task.test_command, tests, 600)
                once = time.perf_counter() - started
            verdict = "" if outcome.resolved else "  (unresolved!)"
            print(f"{task.instance_id:58} {episode:8.2f} {grading:8.2f} {once:8.2f} "
                  f"{grading / once:6.1f}{verdict}")


if __name__ == "__main__":
    main()
