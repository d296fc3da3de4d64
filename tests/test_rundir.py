"""Run directories (harness.rundir): concurrent appends, torn rows, meta and trajectories."""

from __future__ import annotations

import json
import multiprocessing
import warnings
from pathlib import Path
from typing import Any

import pytest

from harness.errors import RunDirError
from harness.results import CaseResult
from harness.run_config import RunConfig
from harness.run_meta import run_metadata
from harness.run_records import GateRecord, PlannedCase, RunMeta, RunPlan
from harness.rundir import RunDir
from harness.trajectory import Message, Trajectory

WRITERS = 4
ROWS_EACH = 50


def make_result(instance_id: str, status: str = "resolved", **extra: Any) -> CaseResult:
    return CaseResult(instance_id=instance_id, capability="navigation", model="scripted://gold",
                      status=status, **extra)


def make_meta(session: str = "test-session", argv: list[str] | None = None) -> RunMeta:
    return run_metadata(RunConfig(model="oracle"), session, argv or [], [])


def make_run(tmp_path: Path) -> RunDir:
    run = RunDir(tmp_path / "run")
    run.create(make_meta())
    return run


def _append_many(path: str, worker: int) -> None:
    run = RunDir(Path(path))
    for index in range(ROWS_EACH):
        # Large rows (about 32 KiB) so an interleaved or partial write would show.
        run.append_result(make_result(f"w{worker}-{index:03d}", worker=f"gw{worker}",
                                      error=f"{worker}:{index}:" + "z" * 32_000,
                                      status="infra_error"))


# --- append_result ------------------------------------------------------------------------


def test_concurrent_appends_from_several_processes_stay_whole(tmp_path: Path) -> None:
    run = make_run(tmp_path)
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=_append_many, args=(str(run.path), worker))
               for worker in range(WRITERS)]
    for process in workers:
        process.start()
    for process in workers:
        process.join(120)
    assert [process.exitcode for process in workers] == [0] * WRITERS

    raw = run.results_path.read_bytes()
    assert raw.endswith(b"\n")
    lines = raw.decode("utf-8").split("\n")[:-1]
    assert len(lines) == WRITERS * ROWS_EACH
    for line in lines:  # every physical line is exactly one whole row
        json.loads(line)

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no row may be skipped as torn
        rows = run.results()
    assert len(rows) == WRITERS * ROWS_EACH
    assert {row.instance_id for row in rows} == {
        f"w{worker}-{index:03d}" for worker in range(WRITERS) for index in range(ROWS_EACH)}
    for row in rows:
        worker, index = row.instance_id[1:].split("-")
        assert row.worker == f"gw{worker}"
        assert row.error == f"{worker}:{int(index)}:" + "z" * 32_000
    # Each writer's rows stay in the order it wrote them.
    for worker in range(WRITERS):
        mine = [row.instance_id for row in rows if row.worker == f"gw{worker}"]
        assert mine == sorted(mine)


def test_rows_read_back_equal_what_was_written(tmp_path: Path) -> None:
    run = make_run(tmp_path)
    written = [make_result("a", turns=3, prompt_tokens=10), make_result("b", "unresolved"),
               make_result("a", "infra_error", epoch=2, error="boom")]
    for row in written:
        run.append_result(row)
    assert run.results() == written


def test_no_results_file_means_no_rows(tmp_path: Path) -> None:
    assert make_run(tmp_path).results() == []


# --- torn and corrupt rows ----------------------------------------------------------------


@pytest.mark.parametrize("torn", ['{"instance_id": "c", "capab', '{"instance_id": "c", "capab\n'],
                         ids=["no newline", "with newline"])
def test_a_torn_last_line_is_skipped_with_a_warning(tmp_path: Path, torn: str) -> None:
    run = make_run(tmp_path)
    run.append_result(make_result("a"))
    run.append_result(make_result("b"))
    with open(run.results_path, "a", encoding="utf-8") as handle:
        handle.write(torn)
    with pytest.warns(UserWarning, match=r"results\.jsonl:3: .*torn"):
        rows = run.results()
    assert [row.instance_id for row in rows] == ["a", "b"]


def test_a_corrupt_middle_line_raises_naming_the_line(tmp_path: Path) -> None:
    run = make_run(tmp_path)
    run.append_result(make_result("a"))
    with open(run.results_path, "a", encoding="utf-8") as handle:
        handle.write('{"instance_id": "b", "capab\n')
    run.append_result(make_result("c"))
    with pytest.raises(RunDirError, match=r"results\.jsonl:2: unreadable row"):
        run.results()


def test_a_valid_json_row_with_a_bad_field_in_the_middle_raises(tmp_path: Path) -> None:
    run = make_run(tmp_path)
    run.append_result(make_result("a"))
    with open(run.results_path, "a", encoding="utf-8") as handle:
        handle.write(json.dumps({"instance_id": "b", "capability": "x", "model": "m",
                                 "status": "maybe"}) + "\n")
    run.append_result(make_result("c"))
    with pytest.raises(RunDirError, match=r":2:"):
        run.results()


def test_blank_lines_are_ignored(tmp_path: Path) -> None:
    run = make_run(tmp_path)
    run.append_result(make_result("a"))
    with open(run.results_path, "a", encoding="utf-8") as handle:
        handle.write("\n\n")
    run.append_result(make_result("b"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert [row.instance_id for row in run.results()] == ["a", "b"]


def test_rows_appended_after_a_torn_line_stay_readable(tmp_path: Path) -> None:
    run = make_run(tmp_path)
    run.append_result(make_result("a"))
    with open(run.results_path, "a", encoding="utf-8") as handle:
        handle.write('{"instance_id": "killed-mid-write", "capab')  # a worker died here
    run.append_result(make_result("b"))  # e.g. a --resume of the same run
    run.append_result(make_result("c"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rows = run.results()
    assert [row.instance_id for row in rows] == ["a", "b", "c"]


# --- create, meta, trajectories -----------------------------------------------------------


def test_create_writes_meta_only_the_first_time(tmp_path: Path) -> None:
    run = RunDir(tmp_path / "nested" / "run")
    assert run.create(make_meta("first")) is True
    assert run.create(make_meta("second")) is False
    assert run.meta().session == "first"
    assert (run.path / "trajectories").is_dir()
    assert RunDir(run.path).create(make_meta("third")) is False


def _create_then_read(path: str, worker: int, start: Any) -> None:
    start.wait()
    run = RunDir(Path(path))
    run.create(make_meta(str(worker), argv=["p" * 100_000] * 10))  # written in many pieces
    assert run.meta().argv == ["p" * 100_000] * 10


def test_racing_creators_all_read_one_whole_meta(tmp_path: Path) -> None:
    """xdist workers open the run at once: the losers must never see a half-written file."""
    context = multiprocessing.get_context("fork")
    start = context.Event()
    path = str(tmp_path / "run")
    workers = [context.Process(target=_create_then_read, args=(path, worker, start))
               for worker in range(WRITERS)]
    for process in workers:
        process.start()
    start.set()
    for process in workers:
        process.join(120)
    assert [process.exitcode for process in workers] == [0] * WRITERS
    assert RunDir(Path(path)).meta().session in {str(worker) for worker in range(WRITERS)}
    assert sorted(p.name for p in Path(path).iterdir()) == ["meta.json", "trajectories"]


@pytest.mark.parametrize("text", ['{"suite": "navig', "[1, 2]"])
def test_unreadable_meta_is_an_error_naming_the_file(tmp_path: Path, text: str) -> None:
    run = make_run(tmp_path)
    run.meta_path.write_text(text, encoding="utf-8")
    with pytest.raises(RunDirError, match=r"run/meta\.json"):
        run.meta()


def test_meta_of_a_directory_that_is_not_a_run(tmp_path: Path) -> None:
    with pytest.raises(RunDirError, match="not a run directory"):
        RunDir(tmp_path).meta()


def test_the_plan_and_the_gate_are_replaced_whole_and_read_back_typed(tmp_path: Path) -> None:
    run = make_run(tmp_path)
    assert run.plan() is None and run.gate() is None
    case = PlannedCase(nodeid="suite.py::test_case[a]", instance_id="a", epoch=1,
                       capability="navigation", gate_pass_rate=0.5)
    run.write_plan(RunPlan(session="one", cases=[case]))
    run.write_plan(RunPlan(session="two", cases=[case, case]))
    assert run.plan() == RunPlan(session="two", cases=[case, case])
    record = GateRecord(finished_at="now", interrupted=True, lost_items=["x"], gates=[])
    run.write_gate(record)
    assert run.gate() == record
    assert not [p for p in run.path.iterdir() if p.name.endswith(".tmp")]


def test_an_unreadable_plan_names_the_file_and_field(tmp_path: Path) -> None:
    run = make_run(tmp_path)
    run.plan_path.write_text('{"session": "s", "cases": [{"nodeid": 3}]}')
    with pytest.raises(RunDirError, match=r"plan\.json: unreadable RunPlan \(field 'cases.0"):
        run.plan()


def _trajectory(instance_id: str) -> Trajectory:
    return Trajectory(instance_id=instance_id, model="scripted://gold", turns=2,
                      exit_reason="final_answer",
                      messages=[Message(role="user", content="fix it"),
                                Message(role="assistant", content="done", channel="final")])


def test_write_trajectory_returns_an_existing_relative_path(tmp_path: Path) -> None:
    run = make_run(tmp_path)
    trajectory = _trajectory("demo__proj-1")
    relative = run.write_trajectory(trajectory, epoch=1)
    assert not Path(relative).is_absolute()
    stored = run.path / relative
    assert stored.is_file()
    assert stored.resolve().is_relative_to(run.path.resolve())
    assert Trajectory.model_validate_json(stored.read_text()) == trajectory
    assert not [p for p in stored.parent.iterdir() if p.name.endswith(".tmp")]


def test_each_epoch_gets_its_own_trajectory(tmp_path: Path) -> None:
    run = make_run(tmp_path)
    first = run.write_trajectory(_trajectory("case"), epoch=1)
    second = run.write_trajectory(_trajectory("case").model_copy(update={"turns": 9}), epoch=2)
    assert first != second
    assert (run.path / first).is_file() and (run.path / second).is_file()
    assert Trajectory.model_validate_json((run.path / first).read_text()).turns == 2
    assert Trajectory.model_validate_json((run.path / second).read_text()).turns == 9
