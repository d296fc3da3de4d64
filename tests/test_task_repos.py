"""Tasks exported as SWE-bench 5.x task repositories read back with the swebench package's own
loaders (no Docker): the same tests, patches and base commit, and a repository it accepts."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from harness.bank import Bank
from harness.datasets import task_repos
from harness.datasets.task_repos import export_task_repo
from harness.sandbox.environments import EnvSpec

repo = pytest.importorskip("swebench.task.repo", reason="needs the swebench extra")
checks = pytest.importorskip("swebench.task.checks", reason="needs the swebench extra")
swebench_utils = pytest.importorskip("swebench.harness.utils", reason="needs the swebench extra")


@pytest.fixture
def exported(tiny_bank: Bank, tmp_path: Path) -> Path:
    """The tiny bank as a task repository, each Dockerfile from a given environment image."""
    for task in tiny_bank.tasks:
        export_task_repo(task, tmp_path / "task-repo", base_image="harness-env:some-key")
    return tmp_path / "task-repo"


def test_round_trip_through_the_official_loader(tiny_bank: Bank, exported: Path) -> None:
    instances = {i["instance_id"]: i for i in repo.load_task_repo(exported)}
    assert sorted(instances) == sorted(t.instance_id for t in tiny_bank.tasks)
    for task in tiny_bank.tasks:
        instance = instances[task.instance_id]
        assert instance["FAIL_TO_PASS"] == task.FAIL_TO_PASS
        assert instance["PASS_TO_PASS"] == task.PASS_TO_PASS
        assert instance["patch"] == task.patch
        assert instance["test_patch"] == task.test_patch
        assert instance["problem_statement"] == task.problem_statement
        assert instance["base_commit"] == task.base_commit
        assert instance["image"] == checks.expected_image(task.instance_id)
        spec = swebench_utils.make_test_spec(instance)
        assert (spec.FAIL_TO_PASS, spec.PASS_TO_PASS) == (task.FAIL_TO_PASS, task.PASS_TO_PASS)
        assert spec.log_parser == "parse_log_pytest"
        assert spec.eval_type == "pass_and_fail"
        files = {t.split("::")[0] for t in [*task.FAIL_TO_PASS, *task.PASS_TO_PASS]}
        assert all(f in spec.eval_script for f in files)
        assert ">>>>> Test Exit Code" in spec.eval_script  # the official wrapper found the markers


def test_the_official_checks_find_no_problem(exported: Path) -> None:
    assert [str(p) for p in checks.check_task_repo(exported)] == []
    assert repo.load_config(exported)["datasets"] == [task_repos.DEFAULT_DATASET]
    assert len(repo.select_tasks(exported)) == 3  # every task is in a published split


def test_the_bundle_holds_the_base_commit(tiny_bank: Bank, exported: Path,
                                          tmp_path: Path) -> None:
    task = tiny_bank.tasks[0]
    task_dir = repo.task_paths(exported, [task.instance_id])[task.instance_id]
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "--quiet", str(task_dir / "base.bundle"), str(clone)],
                   check=True)
    head = subprocess.run(["git", "-C", str(clone), "rev-parse", "HEAD"], check=True,
                          capture_output=True, text=True).stdout.strip()
    assert head == task.base_commit
    dockerfile = repo.load_dockerfiles(exported, [task.instance_id])[task.instance_id]
    assert dockerfile.startswith("FROM harness-env:some-key\n")
    assert task.base_commit in dockerfile and "COPY wheels" not in dockerfile


def test_without_a_base_image_the_dockerfile_builds_the_environment(
        tiny_bank: Bank, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fetched: list[tuple[str, ...]] = []

    def fake_fetch(spec: EnvSpec, directory: Path) -> None:
        fetched.append(spec.python_packages)
        directory.mkdir(parents=True)
        (directory / "pip-0-py3-none-any.whl").write_bytes(b"")

    monkeypatch.setattr(task_repos, "fetch_wheels", fake_fetch)
    task_dir = export_task_repo(tiny_bank.tasks[0], tmp_path / "self-contained")
    dockerfile = (task_dir / "Dockerfile").read_text()
    assert dockerfile.startswith("FROM harness-base:")
    assert "COPY wheels /tmp/wheels" in dockerfile and "pytest coverage" in dockerfile
    assert fetched == [("pytest", "coverage")]
    assert (task_dir / "wheels" / "pip-0-py3-none-any.whl").is_file()


def test_exporting_again_replaces_the_task(tiny_bank: Bank, exported: Path) -> None:
    task = tiny_bank.tasks[0]
    stale = exported / "tasks" / task.instance_id / "stale.txt"
    stale.write_text("left over")
    export_task_repo(task, exported, base_image="harness-env:some-key", dataset="other/set")
    assert not stale.exists()
    assert repo.load_config(exported)["datasets"] == [task_repos.DEFAULT_DATASET, "other/set"]
