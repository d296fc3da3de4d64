"""SWE-bench predictions, run reports and exported banks: round trips and bad files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.parquet as pq  # type: ignore[import-untyped]
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harness.datasets import (
    CLASSIC_COLUMNS,
    KNOWN_COLUMNS,
    Prediction,
    RunReport,
    export_bank,
    load_swebench,
    read_predictions,
    read_report,
    report_filename,
    write_jsonl,
    write_predictions,
    write_report,
)
from harness.errors import BankError, ConfigError
from harness.task import GitSource, PathSource, Task

TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=30)
SOME_TEXT = st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=30)
IDS = st.text("abcxyz_-0123456789", min_size=1, max_size=12)
PLENTY = settings(max_examples=40, deadline=None,
                  suppress_health_check=[HealthCheck.function_scoped_fixture])


# --- predictions -----------------------------------------------------------------------------

PREDICTIONS = st.lists(st.builds(Prediction, instance_id=SOME_TEXT, model_name_or_path=SOME_TEXT,
                                 model_patch=st.none() | TEXT),
                       max_size=6, unique_by=lambda p: p.instance_id)


@PLENTY
@given(predictions=PREDICTIONS, suffix=st.sampled_from([".jsonl", ".json"]))
def test_predictions_round_trip(tmp_path: Path, predictions: list[Prediction], suffix: str) -> None:
    path = tmp_path / f"preds{suffix}"
    write_predictions(predictions, path)
    assert read_predictions(path) == predictions


def test_swe_agent_mapping_form_and_extra_keys(tmp_path: Path) -> None:
    path = tmp_path / "preds.json"
    path.write_text(json.dumps({"a__b-1": {"instance_id": "a__b-1", "model_name_or_path": "m",
                                           "model_patch": "diff", "cost": 0.3}}))
    assert read_predictions(path) == [Prediction(instance_id="a__b-1", model_name_or_path="m",
                                                 model_patch="diff")]


GOOD = {"instance_id": "a__b-1", "model_name_or_path": "m", "model_patch": "diff"}
BAD_PREDICTIONS = [
    ({"model_patch": ...}, "model_patch", "required"),
    ({"model_patch": 5}, "model_patch", "string"),
    ({"model_name_or_path": ""}, "model_name_or_path", "at least 1"),
    ({"instance_id": "a__b-1"}, "instance_id", "already row 1"),
]


@pytest.mark.parametrize("suffix", [".jsonl", ".json"])
@pytest.mark.parametrize(("changes", "field", "words"), BAD_PREDICTIONS,
                         ids=[f"{field}-{words}" for _, field, words in BAD_PREDICTIONS])
def test_bad_prediction_names_file_row_and_field(
        tmp_path: Path, suffix: str, changes: dict[str, Any], field: str, words: str) -> None:
    second = {k: v for k, v in (GOOD | {"instance_id": "c__d-2"} | changes).items()
              if v is not ...}
    path = tmp_path / f"preds{suffix}"
    if suffix == ".jsonl":
        path.write_text(json.dumps(GOOD) + "\n" + json.dumps(second) + "\n")
    else:
        path.write_text(json.dumps([GOOD, second], indent=2))
    with pytest.raises(BankError, match=words) as caught:
        read_predictions(path)
    assert (caught.value.path, caught.value.line, caught.value.field) == (str(path), 2, field)


def test_prediction_files_that_are_not_rows(tmp_path: Path) -> None:
    (tmp_path / "p.jsonl").write_text(json.dumps(GOOD) + "\n[1]\n")
    with pytest.raises(BankError, match="JSON object") as caught:
        read_predictions(tmp_path / "p.jsonl")
    assert caught.value.line == 2
    (tmp_path / "p.json").write_text('[\n{"instance_id": \n')
    with pytest.raises(BankError, match="valid JSON") as caught:
        read_predictions(tmp_path / "p.json")
    assert caught.value.line == 3
    with pytest.raises(ConfigError):
        read_predictions(tmp_path / "p.txt")


# --- run reports -----------------------------------------------------------------------------

KINDS = ("submitted", "completed", "resolved", "unresolved", "empty_patch", "error")


@st.composite
def reports(draw: st.DrawFn) -> RunReport:
    ids = {kind: draw(st.lists(IDS, unique=True, max_size=5)) for kind in KINDS}
    values: dict[str, Any] = {f"{kind}_ids": sorted(ids[kind]) for kind in KINDS}
    values |= {f"{kind}_instances": len(ids[kind]) for kind in KINDS}
    values |= {"total_instances": draw(st.integers(0, 2294)),
               "incomplete_ids": sorted(draw(st.lists(IDS, unique=True, max_size=3)))}
    if draw(st.booleans()):
        values |= {"unstopped_instances": 0, "unstopped_containers": [],
                   "unremoved_images": draw(st.lists(IDS, max_size=2))}
    if draw(st.booleans()):
        values["future_field"] = draw(TEXT)
    return RunReport.model_validate(values)


@PLENTY
@given(report=reports())
def test_report_round_trip(tmp_path: Path, report: RunReport) -> None:
    path = tmp_path / report_filename("org/model", "run1")
    write_report(report, path)
    assert read_report(path) == report
    written = json.loads(path.read_text())
    assert written["schema_version"] == 2
    assert ("unremoved_images" in written) == (report.unremoved_images is not None)


def test_report_filename_and_swe_bench_layout(tmp_path: Path) -> None:
    assert report_filename("openai/gpt-4o", "verified-1") == "openai__gpt-4o.verified-1.json"
    report = RunReport(total_instances=2, submitted_instances=1, completed_instances=1,
                       resolved_instances=1, unresolved_instances=0, empty_patch_instances=0,
                       error_instances=0, completed_ids=["a__b-1"], empty_patch_ids=[],
                       submitted_ids=["a__b-1"], resolved_ids=["a__b-1"], unresolved_ids=[],
                       error_ids=[], incomplete_ids=["c__d-2"])
    write_report(report, tmp_path / "r.json")
    text = (tmp_path / "r.json").read_text()
    assert text.startswith('{\n    "total_instances": 2,') and text.endswith("}\n")


def test_inconsistent_or_incomplete_report_names_the_field(tmp_path: Path) -> None:
    data = {"total_instances": 1, "submitted_instances": 1, "completed_instances": 1,
            "resolved_instances": 2, "unresolved_instances": 0, "empty_patch_instances": 0,
            "error_instances": 0, "completed_ids": ["a"], "empty_patch_ids": [],
            "submitted_ids": ["a"], "resolved_ids": ["a"], "unresolved_ids": [],
            "error_ids": [], "schema_version": 2}
    path = tmp_path / "r.json"
    path.write_text(json.dumps(data))
    with pytest.raises(BankError, match="resolved_ids lists 1") as caught:
        read_report(path)
    assert caught.value.field == "resolved_instances"
    path.write_text(json.dumps({k: v for k, v in data.items() if k != "error_ids"}))
    with pytest.raises(BankError) as caught:
        read_report(path)
    assert caught.value.field == "error_ids"


# --- exported banks --------------------------------------------------------------------------

@st.composite
def swe_tasks(draw: st.DrawFn, v5: bool) -> Task:
    name = st.text("abcdefghij-_.0123", min_size=1, max_size=8)
    repo = f"{draw(name)}/{draw(name)}"
    commit = draw(st.text("0123456789abcdef", min_size=40, max_size=40))
    extra = {column: draw(TEXT) for column in ("image", "eval_script", "log_parser",
                                               "eval_type", "difficulty")} if v5 else {}
    return Task(
        instance_id=draw(SOME_TEXT), repo=repo, base_commit=commit,
        problem_statement=draw(SOME_TEXT), patch=draw(SOME_TEXT), test_patch=draw(SOME_TEXT),
        FAIL_TO_PASS=draw(st.lists(TEXT, min_size=1, max_size=3)),
        PASS_TO_PASS=draw(st.lists(TEXT, max_size=3)), version=draw(TEXT),
        environment_setup_commit=draw(TEXT), hints_text=draw(TEXT), created_at=draw(TEXT),
        capability="navigation", source="swe-bench",
        repo_source=GitSource(kind="git", url=f"https://github.com/{repo}.git", commit=commit),
        **extra)


def banks(v5: bool) -> st.SearchStrategy[list[Task]]:
    return st.lists(swe_tasks(v5), min_size=1, max_size=4, unique_by=lambda t: t.instance_id)


@PLENTY
@given(data=st.data(), schema=st.sampled_from(["classic", "v5"]),
       kind=st.sampled_from(["jsonl", "parquet"]))
def test_export_then_load_gives_the_same_tasks(
        tmp_path: Path, data: st.DataObject, schema: str, kind: str) -> None:
    tasks = data.draw(banks(v5=schema == "v5"))
    rows = export_bank(tasks, schema="v5" if schema == "v5" else "classic")
    assert all(list(r) == list(KNOWN_COLUMNS if schema == "v5" else CLASSIC_COLUMNS)
               for r in rows)
    for row, task in zip(rows, tasks, strict=True):
        assert json.loads(row["FAIL_TO_PASS"]) == task.FAIL_TO_PASS
    path = tmp_path / f"bank.{kind}"
    if kind == "jsonl":
        write_jsonl(rows, path)
    else:
        pq.write_table(pa.Table.from_pylist(rows), path)
    assert load_swebench(path).tasks == tuple(tasks)


def test_export_of_the_real_verified_rows_reproduces_them(shared_data: Path) -> None:
    path = shared_data / "swe-bench" / "SWE-bench_Verified.test.parquet"
    if not path.is_file():
        pytest.skip(f"SWE-bench Verified not found at {path} (set HARNESS_SHARED_DATA)")
    raw = pq.read_table(path).to_pylist()
    exported = export_bank(load_swebench(path).tasks, schema="v5")
    assert exported == [{column: r[column] for column in KNOWN_COLUMNS} for r in raw]


def test_export_of_our_own_bank_keeps_the_swe_bench_columns() -> None:
    task = Task(instance_id="calc-001", repo="calc", problem_statement="p", patch="x",
                test_patch="y", FAIL_TO_PASS=["tests/t.py::a"], capability="navigation",
                source="fixture", repo_source=PathSource(kind="path", path="/repo"))
    (row,) = export_bank([task])
    assert row["FAIL_TO_PASS"] == '["tests/t.py::a"]' and row["PASS_TO_PASS"] == "[]"
    assert row["base_commit"] == "" and set(row) == set(CLASSIC_COLUMNS)
