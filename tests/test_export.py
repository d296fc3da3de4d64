"""``harness export``: a run directory as SWE-bench predictions and SWE-bench reports."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from harness.cli import main
from harness.datasets import read_predictions, read_report
from harness.results import CaseResult, CaseStatus, Outcome, Submission
from harness.run_config import RunConfig
from harness.run_meta import run_metadata
from harness.run_records import PlannedCase, RunPlan
from harness.rundir import RunDir
from harness.trajectory import Trajectory

RUN_ID = "nightly-1"
OFFICIAL = {"patch_is_None": False, "patch_exists": True, "patch_successfully_applied": True,
            "resolved": False, "infra_failure": False, "tests_status": {
                "FAIL_TO_PASS": {"success": [], "failure": ["t.py::f"]},
                "PASS_TO_PASS": {"success": ["t.py::p"], "failure": []},
                "FAIL_TO_FAIL": {"success": [], "failure": []},
                "PASS_TO_FAIL": {"success": [], "failure": []}}}
PLANNED = ["a__b-1", "a__b-2", "c__d-3", "c__d-4", "e__f-5", "f__g-6", "t__t-7"]
GRADED = ["a__b-1", "a__b-2", "e__f-5", "t__t-7"]
LOG_INDEPENDENT = ("total_instances", "submitted_instances", "completed_instances",
                   "resolved_instances", "unresolved_instances", "empty_patch_instances",
                   "error_instances", "completed_ids", "incomplete_ids", "empty_patch_ids",
                   "submitted_ids", "resolved_ids", "unresolved_ids", "error_ids",
                   "schema_version")


def row(instance_id: str, status: CaseStatus = "resolved", epoch: int = 1, patch: str = "diff x\n",
        **outcome: Any) -> CaseResult:
    """A results.jsonl row; infra errors carry an error message and no outcome."""
    if status == "infra_error":
        return CaseResult(instance_id=instance_id, epoch=epoch, capability="navigation",
                          model="oracle", status="infra_error",
                          error="SandboxError: bwrap exited 1\ntraceback ...")
    return CaseResult(instance_id=instance_id, epoch=epoch, capability="navigation",
                      model="oracle", status=status, outcome=Outcome(
                          resolved=status == "resolved", patch_applied=bool(patch),
                          candidate_patch=patch, **outcome))


@pytest.fixture
def run(tmp_path: Path) -> RunDir:
    """Seven planned cases: resolved (trajectory patch), unresolved (official report), empty
    patch, infrastructure error, resolved on retry, never run, tampering."""
    run = RunDir(tmp_path / "runs" / RUN_ID)
    run.create(run_metadata(RunConfig(model="oracle"), "s", [], []))
    run.write_plan(RunPlan(session="s", cases=[
        PlannedCase(nodeid=f"suite::test_case[{i}]", instance_id=i, epoch=1,
                    capability="navigation", gate_pass_rate=0.5) for i in PLANNED]))
    trajectory = run.write_trajectory(Trajectory(
        instance_id="a__b-1", model="oracle", submission=Submission(patch="diff submitted\n")),
        epoch=1)
    for result in [
        row("a__b-1", patch="diff graded\n", fail_to_pass={"t.py::f": "passed"},
            pass_to_pass={"t.py::p": "skipped", "t.py::q": "failed"}).model_copy(
            update={"trajectory": trajectory}),
        row("a__b-2", "unresolved", official_report=OFFICIAL),
        row("c__d-3", "unresolved", patch=""),
        row("c__d-4", "infra_error"),
        row("e__f-5", "infra_error"),
        row("e__f-5", fail_to_pass={"t.py::f": "skipped"}),
        row("t__t-7", "unresolved", official_report={"t__t-7": {**OFFICIAL, "resolved": True}},
            tampering=["wrote the channel"]),
        row("a__b-1", "unresolved", epoch=2),
    ]:
        run.append_result(result)
    return run


def export(*args: str) -> int:
    return main(["export", *args])


# --- predictions -----------------------------------------------------------------------------

def test_predictions_on_stdout_are_the_final_rows(run: RunDir,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    assert export("predictions", str(run.path)) == 0
    out, err = capsys.readouterr()
    rows = [json.loads(line) for line in out.splitlines()]
    assert [(r["instance_id"], r["model_patch"]) for r in rows] == [
        ("a__b-1", "diff submitted\n"), ("a__b-2", "diff x\n"), ("c__d-3", ""),
        ("e__f-5", "diff x\n"), ("t__t-7", "diff x\n")]
    assert {r["model_name_or_path"] for r in rows} == {"oracle"}
    assert all(set(r) == {"instance_id", "model_name_or_path", "model_patch"} for r in rows)
    assert "wrote 5 predictions" in err and "1 infrastructure error(s) left out" in err


@pytest.mark.parametrize("suffix", [".jsonl", ".json"])
def test_predictions_file_reads_back(run: RunDir, tmp_path: Path, suffix: str) -> None:
    target = tmp_path / f"preds{suffix}"
    assert export("predictions", str(run.path), "--output", str(target), "--epoch", "2",
                  "--model-name", "org/model") == 0
    (prediction,) = read_predictions(target)
    assert (prediction.instance_id, prediction.model_name_or_path, prediction.model_patch) == (
        "a__b-1", "org/model", "diff x\n")


def test_a_missing_trajectory_falls_back_and_a_broken_one_is_an_error(
        run: RunDir, capsys: pytest.CaptureFixture[str]) -> None:
    trajectory = run.path / "trajectories" / "a__b-1.json"
    trajectory.unlink()
    assert export("predictions", str(run.path)) == 0
    assert json.loads(capsys.readouterr().out.splitlines()[0])["model_patch"] == "diff graded\n"
    trajectory.write_text("{torn")
    assert export("predictions", str(run.path)) == 2
    assert "unreadable trajectory" in capsys.readouterr().err


def test_bad_inputs_say_what_to_do(run: RunDir, tmp_path: Path,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    assert export("predictions", str(run.path), "--epoch", "3") == 2
    assert "no results for epoch 3 (it has epochs 1, 2); pass --epoch" in capsys.readouterr().err
    assert export("swebench-report", str(tmp_path)) == 2
    assert "not a run directory" in capsys.readouterr().err
    assert export("predictions", str(run.path), "--output", str(tmp_path / "p.txt")) == 2
    assert ".jsonl or .json" in capsys.readouterr().err


@pytest.mark.parametrize("command", [[], ["predictions"], ["swebench-report"]])
def test_every_export_command_has_help_with_examples(
        command: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        export(*command, "--help")
    assert exited.value.code == 0 and "examples:" in capsys.readouterr().out


# --- SWE-bench reports -----------------------------------------------------------------------

def test_report_files_are_laid_out_as_swe_bench_lays_them_out(
        run: RunDir, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "eval"
    assert export("swebench-report", str(run.path), "--output", str(out)) == 0
    model_dir = out / "logs" / "run_evaluation" / RUN_ID / "oracle"
    assert sorted(p.parent.name for p in model_dir.glob("*/report.json")) == GRADED
    assert sorted(p.name for p in out.iterdir()) == ["logs", f"oracle.{RUN_ID}.json"]
    reports = {i: json.loads((model_dir / i / "report.json").read_text()) for i in GRADED}
    assert reports["a__b-2"] == {"a__b-2": OFFICIAL}
    assert reports["t__t-7"] == {"t__t-7": {**OFFICIAL, "resolved": False}}
    assert reports["a__b-1"] == {"a__b-1": {
        "patch_is_None": False, "patch_exists": True, "patch_successfully_applied": True,
        "resolved": True, "infra_failure": False, "tests_status": {
            "FAIL_TO_PASS": {"success": ["t.py::f"], "failure": []},
            "PASS_TO_PASS": {"success": ["t.py::p"], "failure": ["t.py::q"]},
            "FAIL_TO_FAIL": {"success": [], "failure": []},
            "PASS_TO_FAIL": {"success": [], "failure": []}}}}
    assert reports["e__f-5"]["e__f-5"]["tests_status"]["FAIL_TO_PASS"] == {
        "success": [], "failure": ["t.py::f"]}
    assert set(reports["e__f-5"]["e__f-5"]) == set(reports["a__b-1"]["a__b-1"])

    report = read_report(out / f"oracle.{RUN_ID}.json")
    written = json.loads((out / f"oracle.{RUN_ID}.json").read_text())
    assert (report.total_instances, report.submitted_instances) == (7, 6)
    assert report.completed_ids == GRADED
    assert report.resolved_ids == ["a__b-1", "e__f-5"]
    assert report.unresolved_ids == ["a__b-2", "t__t-7"]
    assert (report.empty_patch_ids, report.error_ids) == (["c__d-3"], ["c__d-4"])
    assert report.incomplete_ids == ["f__g-6"]
    assert (written["infra_failure_ids"], written["infra_failure_instances"]) == (["c__d-4"], 1)
    assert written["failure_reasons"] == {"c__d-4": "infra_error: SandboxError: bwrap exited 1"}
    assert (written["ambiguous_failure_ids"], written["schema_version"]) == ([], 2)
    printed = capsys.readouterr().out
    assert "2 resolved, 2 unresolved, 1 empty patches, 1 errors, 1 incomplete of 7" in printed
    assert "overrules the official one for 1 instance(s) (t__t-7)" in printed


def test_run_report_has_the_keys_and_counts_of_swe_bench_s_own(
        run: RunDir, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """swebench's make_run_report, run on the exported files, writes the same keys and, for
    everything it does not read from container logs (there are none here), the same values."""
    reporting = pytest.importorskip("swebench.harness.reporting",
                                    reason="needs the swebench extra: pip install -e '.[swebench]'")
    out = tmp_path / "eval"
    assert export("swebench-report", str(run.path), "--output", str(out)) == 0
    ours = json.loads((out / f"oracle.{RUN_ID}.json").read_text())
    patches = {"a__b-1": "diff submitted\n", "a__b-2": "diff x\n", "c__d-3": "",
               "c__d-4": "diff lost to the sandbox\n", "e__f-5": "diff x\n", "t__t-7": "diff x\n"}
    predictions = {i: {"instance_id": i, "model_name_or_path": "oracle", "model_patch": patch}
                   for i, patch in patches.items()}
    monkeypatch.chdir(out)
    official_path = reporting.make_run_report(predictions, [{"instance_id": i} for i in PLANNED],
                                              RUN_ID, report_dir=str(tmp_path / "official"))
    official = json.loads(Path(official_path).read_text())
    assert Path(official_path).name == f"oracle.{RUN_ID}.json"
    assert set(ours) == set(official)
    assert {key: ours[key] for key in LOG_INDEPENDENT} == {
        key: official[key] for key in LOG_INDEPENDENT}


def test_model_names_with_a_slash_and_stale_reports(run: RunDir, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "eval"
    args = ("swebench-report", str(run.path), "--output", str(out), "--model-name", "org/m",
            "--run-id", "r2")
    assert export(*args) == 0
    model_dir = out / "logs" / "run_evaluation" / "r2" / "org__m"
    assert (model_dir / "a__b-1" / "report.json").is_file()
    assert read_report(out / "org__m.r2.json").resolved_instances == 2
    assert export(*args) == 0
    (model_dir / "zz__old-1").mkdir()
    (model_dir / "zz__old-1" / "report.json").write_text("{}")
    capsys.readouterr()
    assert export(*args) == 2
    assert "this run does not have (zz__old-1); remove that directory" in capsys.readouterr().err
