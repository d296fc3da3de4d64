"""Build a task bank from fixture repositories and TOML case specs, validated by running tests.

A spec file ``specs/<repo>.toml`` holds ``[[case]]`` tables over the correct
source tree ``repos/<repo>/``: the bug to inject (``[[case.bug]]`` find/replace
edits), hidden tests (``[[case.hidden_tests]]``: appended to an existing file or
a new one), the problem statement, and the files and symbols a solver must
find. For each case the builder derives the base patch (the bug), the gold
patch (its reverse) and the test patch, then runs the whole test suite with
the bug and with the fix: FAIL_TO_PASS are the tests that fail with the bug and
pass with the fix, PASS_TO_PASS those that pass with both. A case whose hidden
tests do not fail with the bug, or whose fix leaves a test failing, is an error.

Usage: python -m generators.tasks.fixture_bank suites/navigation [--capability navigation]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path
from typing import Any

from tqdm import tqdm

from generators.tasks.generate import write_bank
from harness.capabilities.navigation import NavigationExpectations
from harness.errors import ConfigError
from harness.grading.grader import apply_patch_text
from harness.grading.junit import parse_junit
from harness.grading.test_runs import run_test_files
from harness.results import TestStatus
from harness.sandbox.local import LocalSandbox
from harness.sandbox.workspace import GIT_IDENTITY
from harness.task import DEFAULT_TEST_COMMAND, PathSource, Task


class SpecError(ConfigError):
    """A case spec is wrong; the message names the spec file and the case."""


def _git(repo: Path, *args: str) -> str:
    result = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True,
                            env={**os.environ, **GIT_IDENTITY})
    if result.returncode != 0:
        raise SpecError(f"git {' '.join(args)} failed: {result.stderr.strip()}")
    return result.stdout


def derive_patches(repo_dir: Path, case: dict[str, Any], where: str) -> tuple[str, str, str]:
    """(base_patch, gold_patch, test_patch) for one case, from its edits and hidden tests."""
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch) / "repo"
        shutil.copytree(repo_dir, work, ignore=shutil.ignore_patterns(
            "__pycache__", "*.pyc", ".pytest_cache", ".git"))
        _git(work, "init", "-q", "-b", "main")
        _git(work, "add", "-A")
        _git(work, "commit", "-q", "-m", "correct")
        for edit in case.get("bug", []):
            path = work / edit["file"]
            text = path.read_text(encoding="utf-8")
            count = text.count(edit["find"])
            if count != 1:
                raise SpecError(f"{where}: bug find text occurs {count} times in {edit['file']}")
            path.write_text(text.replace(edit["find"], edit["replace"]), encoding="utf-8")
        if not _git(work, "status", "--porcelain"):
            raise SpecError(f"{where}: the bug edits change nothing")
        _git(work, "commit", "-q", "-am", "bug")
        base_patch = _git(work, "diff", "HEAD~1", "HEAD")
        gold_patch = _git(work, "diff", "HEAD", "HEAD~1")
        for hidden in case.get("hidden_tests", []):
            path = work / hidden["file"]
            existing = path.read_text(encoding="utf-8") if path.exists() else ""
            separator = "\n\n" if existing and not existing.endswith("\n\n") else ""
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(existing + separator + hidden["content"].lstrip("\n"),
                            encoding="utf-8")
        _git(work, "add", "-A")
        test_patch = _git(work, "diff", "--cached")
        if not test_patch:
            raise SpecError(f"{where}: no hidden tests")
    return base_patch, gold_patch, test_patch


def _statuses(sandbox: LocalSandbox, timeout: float) -> tuple[dict[str, TestStatus], str]:
    report, log = run_test_files(sandbox, DEFAULT_TEST_COMMAND, [], timeout)
    return parse_junit(report or b""), log


def build_case(bank_dir: Path, repo: str, case: dict[str, Any], capability: str,
               timeout: float = 300.0) -> Task:
    """Derive and validate one case."""
    where = f"specs/{repo}.toml case {case.get('id', '?')}"
    repo_dir = bank_dir / "repos" / repo
    base_patch, gold_patch, test_patch = derive_patches(repo_dir, case, where)
    source = PathSource(kind="path", path=str(repo_dir), base_patch=base_patch)
    with LocalSandbox(source) as sandbox:
        if not apply_patch_text(sandbox, test_patch):
            raise SpecError(f"{where}: the test patch does not apply")
        before, log_before = _statuses(sandbox, timeout)
        if not apply_patch_text(sandbox, gold_patch):
            raise SpecError(f"{where}: the gold patch does not apply")
        after, log_after = _statuses(sandbox, timeout)
        base_commit = sandbox.base_commit
    broken = sorted(t for t, s in after.items() if s not in ("passed", "skipped"))
    if broken or not after:
        raise SpecError(f"{where}: with the fix these tests still fail: {broken}\n{log_after}")
    fail_to_pass = sorted(t for t, s in before.items() if s != "passed" and after[t] == "passed")
    if not fail_to_pass:
        raise SpecError(f"{where}: no hidden test fails with the bug\n{log_before[-2000:]}")
    pass_to_pass = sorted(t for t, s in before.items() if s == "passed" and after[t] == "passed")
    return Task(
        instance_id=case["id"], repo=f"fixtures/{repo}", base_commit=base_commit,
        problem_statement=case["problem_statement"].strip() + "\n", patch=gold_patch,
        test_patch=test_patch, FAIL_TO_PASS=fail_to_pass, PASS_TO_PASS=pass_to_pass,
        version="0.1", capability=capability, source="fixture",
        repo_source=PathSource(kind="path", path=f"repos/{repo}", base_patch=base_patch),
        test_command=DEFAULT_TEST_COMMAND,
        expected=NavigationExpectations(files=case["files"], symbols=case["symbols"]).model_dump())


def build_bank(bank_dir: Path, capability: str) -> list[Task]:
    """Every case of every spec under ``bank_dir/specs``, sorted by instance id."""
    jobs = []
    for spec_path in sorted((bank_dir / "specs").glob("*.toml")):
        spec = tomllib.loads(spec_path.read_text(encoding="utf-8"))
        jobs += [(spec_path.stem, case) for case in spec.get("case", [])]
    tasks = [build_case(bank_dir, repo, case, capability)
             for repo, case in tqdm(jobs, desc="building cases", unit="case")]
    return sorted(tasks, key=lambda task: task.instance_id)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m generators.tasks.fixture_bank", description=__doc__.split("\n\n")[0],
        epilog="example: python -m generators.tasks.fixture_bank suites/navigation",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("bank_dir", type=Path, help="folder holding repos/ and specs/")
    parser.add_argument("--capability", default="navigation")
    parser.add_argument("--output", type=Path, help="bank file (default BANK_DIR/bank.jsonl)")
    args = parser.parse_args(argv)
    bank_dir = args.bank_dir.resolve()
    try:
        tasks = build_bank(bank_dir, args.capability)
    except SpecError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    output = args.output or bank_dir / "bank.jsonl"
    write_bank(tasks, output)
    print(f"wrote {len(tasks)} cases to {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
