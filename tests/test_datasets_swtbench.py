"""SWT-Bench: SWE-bench rows as test-generation tasks, and the filtered sets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import harness.datasets
from harness.datasets import drop_filtered, load_swebench, load_swtbench, read_filter_ids, swt_bench
from harness.datasets.swtbench import swt_source_name
from harness.errors import BankError, ConfigError

SHA = "0123456789abcdef0123456789abcdef01234567"


@pytest.fixture(scope="module")
def data(shared_data: Path) -> Path:
    path = shared_data
    if not (path / "swe-bench").is_dir() or not (path / "swt-bench").is_dir():
        pytest.skip(f"SWE-bench/SWT-Bench data not found under {path} (set HARNESS_SHARED_DATA)")
    return path


def test_swt_bench_verified_has_433_rows(data: Path) -> None:
    verified = data / "swe-bench" / "SWE-bench_Verified.test.parquet"
    filter_file = data / "swt-bench" / "filter_cases_verified.txt"
    tasks = swt_bench(verified, filter_file).tasks
    assert len(tasks) == 433
    assert len({task.instance_id for task in tasks}) == 433
    all_ids = {task.instance_id for task in load_swebench(verified).tasks}
    assert {task.instance_id for task in tasks} == all_ids - read_filter_ids(filter_file)
    assert {(task.capability, task.source) for task in tasks} == {("testing", "swt-bench-verified")}


def test_swt_bench_lite_drops_the_lite_filter(data: Path) -> None:
    lite = data / "swe-bench" / "SWE-bench_Lite.test.parquet"
    dropped = read_filter_ids(data / "swt-bench" / "filter_cases_lite.txt")
    swe_ids = [task.instance_id for task in load_swebench(lite).tasks]
    tasks = swt_bench(lite, data / "swt-bench" / "filter_cases_lite.txt").tasks
    assert [task.instance_id for task in tasks] == [i for i in swe_ids if i not in dropped]
    assert dropped <= set(swe_ids) and len(tasks) < len(swe_ids)
    assert {task.source for task in tasks} == {"swt-bench-lite"}


def test_filter_files_hold_instance_ids(data: Path) -> None:
    for variant in ("full", "lite", "verified"):
        ids = read_filter_ids(data / "swt-bench" / f"filter_cases_{variant}.txt")
        assert ids and all("__" in i and " " not in i for i in ids)


def test_loaded_rows_are_testing_tasks_with_the_gold_fields(tmp_path: Path) -> None:
    path = tmp_path / "SWE-bench_Verified.jsonl"
    row = {"repo": "o/p", "instance_id": "o__p-1", "base_commit": SHA, "patch": "fix",
           "test_patch": "tests", "problem_statement": "bug", "FAIL_TO_PASS": '["t::a"]',
           "PASS_TO_PASS": "[]"}
    path.write_text(json.dumps(row) + "\n" + json.dumps(row | {"instance_id": "o__p-2"}) + "\n")
    loaded = load_swtbench(path)
    assert [(t.capability, t.source, t.patch, t.test_patch) for t in loaded.tasks] == [
        ("testing", "swt-bench-verified", "fix", "tests")] * 2
    (tmp_path / "drop.txt").write_text("o__p-1\n\n  ")
    assert [t.instance_id for t in swt_bench(path, tmp_path / "drop.txt").tasks] == ["o__p-2"]
    assert drop_filtered(loaded.tasks, frozenset()) == list(loaded.tasks)
    assert load_swtbench(path, source_label="mine").tasks[0].source == "mine"


def test_invalid_rows_refuse_the_set_unless_skipped(tmp_path: Path) -> None:
    path = tmp_path / "SWE-bench_Lite.jsonl"
    row = {"repo": "o/p", "instance_id": "o__p-1", "base_commit": SHA, "patch": "fix",
           "test_patch": "tests", "problem_statement": "bug", "FAIL_TO_PASS": '["t::a"]',
           "PASS_TO_PASS": "[]"}
    rows = [row, row | {"instance_id": "o__p-2", "FAIL_TO_PASS": "[x"},
            row | {"instance_id": "o__p-3"}, row | {"instance_id": "o__p-4", "patch": 1}]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    (tmp_path / "drop.txt").write_text("o__p-3\no__p-4\n")
    with pytest.raises(BankError, match="and 1 more invalid row; pass skip_invalid_rows=True"):
        swt_bench(path, tmp_path / "drop.txt")
    with pytest.raises(BankError, match="FAIL_TO_PASS"):
        load_swtbench(path)
    loaded = swt_bench(path, tmp_path / "drop.txt", skip_invalid_rows=True)
    assert [t.instance_id for t in loaded.tasks] == ["o__p-1"]
    assert [(e.line, e.field) for e in loaded.skipped] == [(2, "FAIL_TO_PASS"), (4, "patch")]
    assert load_swtbench(path, skip_invalid_rows=True).tasks[0].source == "swt-bench-lite"


def test_filter_file_without_final_newline_and_missing_file(tmp_path: Path) -> None:
    (tmp_path / "f.txt").write_text("a__b-1\r\nc__d-2")
    assert read_filter_ids(tmp_path / "f.txt") == {"a__b-1", "c__d-2"}
    with pytest.raises(ConfigError, match="filter file"):
        read_filter_ids(tmp_path / "missing.txt")


@pytest.mark.parametrize(("origin", "expected"), [
    ("/d/SWE-bench_Verified.test.parquet", "swt-bench-verified"),
    ("hf://princeton-nlp/SWE-bench_Lite[test]", "swt-bench-lite"),
    ("hf://nmuendler/SWT-bench_Lite_bm25_27k_zsp[test]", "swt-bench-lite-bm25-27k-zsp"),
    ("/tmp/rows.jsonl", "swt-bench"),
])
def test_swt_source_names(origin: str, expected: str) -> None:
    assert swt_source_name(origin) == expected


def test_library_code_has_no_shared_data_path() -> None:
    package = Path(harness.datasets.__file__).parent
    for module in package.glob("*.py"):
        assert "shared/data" not in module.read_text() and "/work/" not in module.read_text()
