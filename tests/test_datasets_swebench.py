"""SWE-bench rows as Tasks, and their Docker evaluation specs, on the real Verified/Lite files."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import types
from pathlib import Path
from typing import Any

import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.parquet as pq  # type: ignore[import-untyped]
import pytest

from harness.datasets import (
    KNOWN_COLUMNS,
    REPO_COMMANDS,
    InvalidRows,
    LoadResult,
    eval_script,
    instance_image_name,
    load_swebench,
    make_eval_spec,
    reverse_patch,
)
from harness.datasets.swebench import source_name, task_from_row
from harness.datasets.swebench_spec import directives, run_tests_command
from harness.errors import BankError, ConfigError
from harness.task import GitSource, Task

SHA = "0123456789abcdef0123456789abcdef01234567"
TEST_PATCH = (
    "diff --git a/pkg/tests/test_a.py b/pkg/tests/test_a.py\n--- a/pkg/tests/test_a.py\n"
    "+++ b/pkg/tests/test_a.py\n@@ -1 +1,2 @@\n x = 1\n+y = 2\n"
    "diff --git a/pkg/tests/test_new.py b/pkg/tests/test_new.py\nnew file mode 100644\n"
    "--- /dev/null\n+++ b/pkg/tests/test_new.py\n@@ -0,0 +1 @@\n+def test_new(): pass\n"
    "diff --git a/pkg/tests/data.json b/pkg/tests/data.json\n--- a/pkg/tests/data.json\n"
    "+++ b/pkg/tests/data.json\n@@ -1 +1 @@\n-{}\n+[]\n"
)


@pytest.fixture(scope="module")
def swe_dir(shared_data: Path) -> Path:
    path = shared_data / "swe-bench"
    if not path.is_dir():
        pytest.skip(f"SWE-bench data not found at {path} (set HARNESS_SHARED_DATA)")
    return path


@pytest.fixture(scope="module", params=["Verified", "Lite"])
def real(request: pytest.FixtureRequest, swe_dir: Path) -> tuple[LoadResult, list[dict[str, Any]]]:
    path = swe_dir / f"SWE-bench_{request.param}.test.parquet"
    return load_swebench(path), pq.read_table(path).to_pylist()


def row(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "repo": "owner/proj", "instance_id": "owner__proj-1", "base_commit": SHA,
        "patch": "diff --git a/pkg/a.py b/pkg/a.py\n", "test_patch": TEST_PATCH,
        "problem_statement": "It breaks.", "hints_text": "", "created_at": "2024-01-01",
        "version": "1.0", "FAIL_TO_PASS": '["pkg/tests/test_a.py::test_y"]',
        "PASS_TO_PASS": "[]", "environment_setup_commit": SHA,
    }
    base.update(changes)
    return {key: value for key, value in base.items() if value is not ...}


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


# --- the real files --------------------------------------------------------------------------

def test_every_real_row_loads_with_the_row_values(
        real: tuple[LoadResult, list[dict[str, Any]]]) -> None:
    loaded, raw = real
    assert len(loaded.tasks) == len(raw) and loaded.dropped_columns == ()
    assert len({task.instance_id for task in loaded.tasks}) == len(raw)
    for task, source_row in zip(loaded.tasks, raw, strict=True):
        assert task.instance_id == source_row["instance_id"]
        assert isinstance(task.FAIL_TO_PASS, list) and task.FAIL_TO_PASS
        assert all(isinstance(test, str) and test for test in task.FAIL_TO_PASS)
        assert json.loads(source_row["FAIL_TO_PASS"]) == task.FAIL_TO_PASS
        assert json.loads(source_row["PASS_TO_PASS"]) == task.PASS_TO_PASS
        for column in set(KNOWN_COLUMNS) - {"FAIL_TO_PASS", "PASS_TO_PASS"}:
            assert getattr(task, column) == (source_row.get(column) or ""), column
        assert task.repo_source == GitSource(
            kind="git", url=f"https://github.com/{source_row['repo']}.git",
            commit=source_row["base_commit"])
        assert task.capability == "navigation"
    assert {task.source for task in loaded.tasks} == {
        "swe-bench-" + loaded.origin.split("SWE-bench_")[1].split(".")[0].lower()}


def test_every_real_row_has_the_official_image_and_parser(
        real: tuple[LoadResult, list[dict[str, Any]]]) -> None:
    loaded, raw = real
    for task, source_row in zip(loaded.tasks, raw, strict=True):
        spec = make_eval_spec(task)
        owner_name = source_row["instance_id"].lower().replace("__", "_1776_")
        expected = f"swebench/sweb.eval.x86_64.{owner_name}:latest"
        assert spec.image == expected == source_row["image"]
        assert instance_image_name(task.instance_id) == expected
        assert spec.eval_script == source_row["eval_script"]
        assert spec.log_parser == source_row["log_parser"] == REPO_COMMANDS[task.repo].log_parser
        assert spec.workdir == "/testbed"


def test_repo_command_table_matches_the_scripts_of_the_real_rows(
        real: tuple[LoadResult, list[dict[str, Any]]]) -> None:
    loaded, _ = real
    marked = re.compile(r">>>>> Start Test Output'\n(.*)\n: '>>>>> End Test Output'", re.S)
    for task in loaded.tasks:
        match = marked.search(task.eval_script)
        assert match, task.instance_id
        assert run_tests_command(task) == match.group(1), task.instance_id


def test_generated_scripts_reset_the_same_files_as_the_real_scripts(
        real: tuple[LoadResult, list[dict[str, Any]]]) -> None:
    loaded, _ = real
    for task in loaded.tasks:
        resets = re.compile(rf"^git checkout {task.base_commit} .*$", re.M)
        generated = eval_script(task.model_copy(update={"eval_script": ""}))
        assert resets.findall(generated) == resets.findall(task.eval_script), task.instance_id
        assert f"<<'EOF_114329324912'\n{task.test_patch}\nEOF_114329324912\n" in generated
        assert run_tests_command(task) in generated


def test_every_row_of_the_real_multilingual_file_loads(swe_dir: Path) -> None:
    path = swe_dir / "SWE-bench_Multilingual.test.parquet"
    loaded = load_swebench(path)
    raw = pq.read_table(path).to_pylist()
    assert len(raw) == 300
    assert [task.instance_id for task in loaded.tasks] == [r["instance_id"] for r in raw]
    assert (loaded.skipped, loaded.dropped_columns) == ((), ())
    axum = next(task for task in loaded.tasks if task.instance_id == "tokio-rs__axum-1730")
    assert axum.FAIL_TO_PASS == [] and axum.PASS_TO_PASS
    assert (axum.log_parser, axum.image) == (
        "parse_log_cargo", "swebench/sweb.eval.x86_64.tokio-rs_1776_axum-1730:latest")
    assert {task.source for task in loaded.tasks} == {"swe-bench-multilingual"}


def test_the_table_covers_exactly_the_verified_repositories(swe_dir: Path) -> None:
    verified = load_swebench(swe_dir / "SWE-bench_Verified.test.parquet")
    assert {task.repo for task in verified.tasks} == set(REPO_COMMANDS)


# --- generated eval scripts ------------------------------------------------------------------

def task_of(**changes: Any) -> Task:
    return task_from_row(row(**changes), origin="rows.jsonl", number=1)


def test_generated_script_order_and_new_files() -> None:
    task = task_of(repo="pytest-dev/pytest", eval_script="")
    script = eval_script(task)
    lines = script.split("\n")
    reset = f"git checkout {SHA} pkg/tests/test_a.py pkg/tests/test_new.py pkg/tests/data.json"
    assert lines[:2] == ["#!/bin/bash", "set -uxo pipefail"]
    assert "cd /testbed" in lines
    assert [i for i, line in enumerate(lines) if line == reset] == [
        lines.index(reset), len(lines) - 2]
    start = lines.index(": '>>>>> Start Test Output'")
    assert lines[start + 1] == "pytest -rA pkg/tests/test_a.py pkg/tests/test_new.py"
    assert lines[start + 2] == ": '>>>>> End Test Output'"
    assert lines.index(reset) < lines.index("git apply -v - <<'EOF_114329324912'") < start


def test_image_name_is_lower_case_with_the_namespace_and_arch() -> None:
    assert instance_image_name("Owner__Repo-1") == (
        "swebench/sweb.eval.x86_64.owner_1776_repo-1:latest")
    assert instance_image_name("a__b-2", namespace="me", arch="arm64", tag="v1") == (
        "me/sweb.eval.arm64.a_1776_b-2:v1")


def test_django_directives_are_modules_and_data_files_are_skipped() -> None:
    patch = ("diff --git a/tests/foo/test_bar.py b/tests/foo/test_bar.py\n"
             "diff --git a/tests/foo/models.py b/tests/foo/models.py\n"
             "diff --git a/tests/foo/x.txt b/tests/foo/x.txt\n")
    assert directives("django/django", patch) == ["foo.test_bar", "foo.models"]
    assert directives("psf/requests", patch) == ["tests/foo/test_bar.py", "tests/foo/models.py"]


def test_heredoc_delimiter_never_occurs_in_the_patch() -> None:
    patch = TEST_PATCH + "+EOF_114329324912\n"
    script = eval_script(task_of(repo="psf/requests", test_patch=patch))
    assert "<<'EOF_114329324912_'" in script


def test_unknown_repo_without_eval_script_is_a_config_error() -> None:
    task = task_of(repo="someone/else")
    with pytest.raises(ConfigError, match="someone/else"):
        make_eval_spec(task)
    spec = make_eval_spec(task.model_copy(update={"eval_script": "run", "log_parser": "p"}))
    assert (spec.eval_script, spec.log_parser) == ("run", "p")
    assert spec.image == "swebench/sweb.eval.x86_64.owner_1776_proj-1:latest"
    assert make_eval_spec(task.model_copy(update={"image": "mine:1", "eval_script": "x"})
                          ).image == "mine:1"


# --- inputs and malformed rows ---------------------------------------------------------------

MALFORMED = [  # (changes to the third row, field named, words of the message)
    ({"problem_statement": ...}, "problem_statement", "missing"),
    ({"FAIL_TO_PASS": "[not json"}, "FAIL_TO_PASS", "JSON"),
    ({"FAIL_TO_PASS": '"a string"'}, "FAIL_TO_PASS", "list of strings"),
    ({"PASS_TO_PASS": [1, 2]}, "PASS_TO_PASS", "list of strings"),
    ({"version": 3.0}, "version", "a string, got float"),
    ({"base_commit": "abc"}, "base_commit", "40-hex"),
    ({"instance_id": ""}, "instance_id", "non-empty"),
]
MALFORMED_IDS = [f"{field}-{words}" for _, field, words in MALFORMED]


def three_rows(bad: dict[str, Any]) -> list[dict[str, Any]]:
    """Two good rows, then one with ``bad`` changes."""
    return [row(instance_id="a__b-1"), row(instance_id="a__b-2"),
            row(**({"instance_id": "a__b-3"} | bad))]


@pytest.mark.parametrize(("bad", "field", "message"), MALFORMED, ids=MALFORMED_IDS)
def test_malformed_jsonl_row_names_file_line_and_field(
        tmp_path: Path, bad: dict[str, Any], field: str, message: str) -> None:
    good1, good2, third = three_rows(bad)
    path = tmp_path / "rows.jsonl"
    path.write_text(f"{json.dumps(good1)}\n{json.dumps(good2)}\n\n{json.dumps(third)}\n")
    with pytest.raises(BankError, match=message) as caught:
        load_swebench(path)
    assert (caught.value.path, caught.value.line, caught.value.field) == (str(path), 4, field)
    assert "(the only invalid row; pass skip_invalid_rows=True to load the rest)" in str(
        caught.value)
    loaded = load_swebench(path, skip_invalid_rows=True)
    assert [task.instance_id for task in loaded.tasks] == ["a__b-1", "a__b-2"]
    assert [(e.line, e.field) for e in loaded.skipped] == [(4, field)]


@pytest.mark.parametrize(("bad", "field", "message"), MALFORMED, ids=MALFORMED_IDS)
def test_malformed_parquet_row_names_file_row_and_field(
        tmp_path: Path, bad: dict[str, Any], field: str, message: str) -> None:
    path = tmp_path / "rows.parquet"
    write_parquet(path, three_rows(bad))
    with pytest.raises(BankError, match=message) as caught:
        load_swebench(path)
    assert (caught.value.path, caught.value.line, caught.value.field) == (str(path), 3, field)


def write_parquet(path: Path, rows: list[dict[str, Any]]) -> None:
    """Rows as Parquet; a column gets the type of its odd value, the good rows adapt to it."""
    columns: dict[str, list[Any]] = {}
    for name in sorted({key for r in rows for key in r}):
        values = [r.get(name) for r in rows]
        if any(isinstance(v, list) for v in values):  # a list column: JSON text becomes lists
            values = [json.loads(v) if isinstance(v, str) else v for v in values]
        elif any(isinstance(v, float) for v in values):  # a float column: the rest is null
            values = [v if isinstance(v, float) else None for v in values]
        columns[name] = values
    pq.write_table(pa.table(columns), path)


def test_one_error_names_the_first_bad_row_and_counts_the_others(tmp_path: Path) -> None:
    path = tmp_path / "rows.jsonl"
    lines = [json.dumps(row(instance_id="a__b-1")), "{not json", json.dumps(row(
        instance_id="a__b-3", base_commit="abc")), json.dumps(row(instance_id="a__b-4")),
        json.dumps(row(instance_id="a__b-1")), "[1, 2]"]
    path.write_bytes("\n".join(lines).encode() + b"\n\xff\xfe{}\n")
    with pytest.raises(InvalidRows) as caught:
        load_swebench(path)
    assert (caught.value.line, caught.value.field) == (2, "<row>")
    assert str(caught.value).startswith(f"{path}:2: field '<row>': expected a JSON object")
    assert str(caught.value).endswith(
        "(and 4 more invalid rows; pass skip_invalid_rows=True to load the rest)")
    expected = [(2, "<row>"), (3, "base_commit"), (5, "instance_id"), (6, "<row>"),
                (7, "<row>")]
    assert [(e.line, e.field) for e in caught.value.errors] == expected
    loaded = load_swebench(path, skip_invalid_rows=True)
    assert [task.instance_id for task in loaded.tasks] == ["a__b-1", "a__b-4"]
    assert [(e.path, e.line, e.field) for e in loaded.skipped] == [
        (str(path), line, field) for line, field in expected]
    assert "already row 1" in str(loaded.skipped[2]) and "UTF-8" in str(loaded.skipped[4])


def test_skipping_needs_one_valid_row_and_file_errors_still_raise(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "rows.jsonl", [row(base_commit="x"), row(patch=None)])
    with pytest.raises(BankError, match="at least one valid row; all 2 rows are invalid"):
        load_swebench(path, skip_invalid_rows=True)
    (tmp_path / "rows.json").write_text("[\n{")
    with pytest.raises(BankError, match="valid JSON"):
        load_swebench(tmp_path / "rows.json", skip_invalid_rows=True)


def test_bad_parquet_rows_are_skipped_with_their_row_numbers(tmp_path: Path) -> None:
    path = tmp_path / "rows.parquet"
    rows = [row(instance_id=f"a__b-{i}") for i in range(1, 6)]
    rows[1]["problem_statement"] = ""
    rows[3]["FAIL_TO_PASS"] = "[x"
    write_parquet(path, rows)
    with pytest.raises(BankError, match="and 1 more invalid row;") as caught:
        load_swebench(path)
    assert (caught.value.line, caught.value.field) == (2, "problem_statement")
    loaded = load_swebench(path, skip_invalid_rows=True)
    assert [t.instance_id for t in loaded.tasks] == ["a__b-1", "a__b-3", "a__b-5"]
    assert [(e.line, e.field) for e in loaded.skipped] == [
        (2, "problem_statement"), (4, "FAIL_TO_PASS")]


def test_json_list_rows_and_duplicates(tmp_path: Path) -> None:
    path = tmp_path / "rows.json"
    path.write_text(json.dumps([row(), row(instance_id="b__c-1"), row()]))
    with pytest.raises(BankError, match="already row 1") as caught:
        load_swebench(path)
    assert (caught.value.line, caught.value.field) == (3, "instance_id")
    path.write_text(json.dumps({"not": "a list"}))
    with pytest.raises(BankError, match="JSON list"):
        load_swebench(path)


def test_lists_and_v5_columns_and_dropped_columns(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "SWE-bench_Multilingual.jsonl", [row(
        FAIL_TO_PASS=["t::a"], PASS_TO_PASS=["t::b"], image="img", eval_script="s",
        log_parser="p", eval_type="pass_and_fail", difficulty="<15 min fix",
        language="rust", text="prompt")])
    loaded = load_swebench(path, capability="planning")
    task = loaded.tasks[0]
    assert (task.FAIL_TO_PASS, task.PASS_TO_PASS) == (["t::a"], ["t::b"])
    assert (task.image, task.eval_script, task.log_parser, task.eval_type, task.difficulty) == (
        "img", "s", "p", "pass_and_fail", "<15 min fix")
    assert (task.capability, task.source) == ("planning", "swe-bench-multilingual")
    assert loaded.dropped_columns == ("language", "text")
    assert load_swebench(path, source_label="mine").tasks[0].source == "mine"


@pytest.mark.parametrize(("origin", "expected"), [
    ("/d/SWE-bench_Verified.test.parquet", "swe-bench-verified"),
    ("hf://princeton-nlp/SWE-bench_Lite[test]", "swe-bench-lite"),
    ("hf://SWE-bench/SWE-bench[dev]", "swe-bench"),
    ("/tmp/rows.jsonl", "swe-bench"),
])
def test_source_names(origin: str, expected: str) -> None:
    assert source_name(origin) == expected


def test_empty_file_and_unknown_inputs(tmp_path: Path) -> None:
    (tmp_path / "empty.jsonl").write_text("\n")
    with pytest.raises(BankError, match="at least one"):
        load_swebench(tmp_path / "empty.jsonl")
    (tmp_path / "rows.csv").write_text("a,b\n")
    with pytest.raises(ConfigError, match="unknown file type"):
        load_swebench(tmp_path / "rows.csv")
    with pytest.raises(ConfigError, match="no such file"):
        load_swebench(tmp_path / "missing.parquet")
    (tmp_path / "bad.parquet").write_text("not parquet")
    with pytest.raises(BankError, match="Parquet"):
        load_swebench(tmp_path / "bad.parquet")


# --- Hugging Face names ----------------------------------------------------------------------

def fake_datasets(monkeypatch: pytest.MonkeyPatch, load: Any) -> list[tuple[str, str]]:
    calls: list[tuple[str, str]] = []

    def load_dataset(name: str, split: str) -> Any:
        calls.append((name, split))
        return load(name, split)

    module = types.ModuleType("datasets")
    module.load_dataset = load_dataset  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "datasets", module)
    return calls


def test_hugging_face_name_loads_through_datasets(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = fake_datasets(monkeypatch, lambda name, split: [row(), row(FAIL_TO_PASS="[x")])
    with pytest.raises(BankError) as caught:
        load_swebench("princeton-nlp/SWE-bench_Verified", split="test")
    assert caught.value.path == "hf://princeton-nlp/SWE-bench_Verified[test]"
    assert (caught.value.line, caught.value.field) == (2, "FAIL_TO_PASS")
    calls.clear()
    fake_datasets(monkeypatch, lambda name, split: [row()])
    loaded = load_swebench("princeton-nlp/SWE-bench_Verified", split="dev")
    assert loaded.tasks[0].source == "swe-bench-verified"


def test_missing_datasets_package_is_a_config_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "datasets", None)
    with pytest.raises(ConfigError, match="pip install datasets"):
        load_swebench("princeton-nlp/SWE-bench_Lite")


def test_offline_hub_is_a_config_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def offline(name: str, split: str) -> Any:
        raise ConnectionError("Couldn't reach 'princeton-nlp/SWE-bench_Lite' on the Hub")
    fake_datasets(monkeypatch, offline)
    with pytest.raises(ConfigError, match="offline"):
        load_swebench("princeton-nlp/SWE-bench_Lite")


# --- SWE-smith and Multimodal rows -----------------------------------------------------------

def smith_row(**changes: Any) -> dict[str, Any]:
    """A row shaped like SWE-smith's: the image in image_name, no test_patch, the bug patch."""
    base: dict[str, Any] = {
        "instance_id": "owner__proj.0123abcd.func_pm_op_change__x1", "repo":
        "swesmith/owner__proj.0123abcd", "base_commit": SHA, "patch": BUG_PATCH,
        "FAIL_TO_PASS": ["tests/test_a.py::test_add"], "PASS_TO_PASS": ["tests/test_a.py::t"],
        "created_at": "2025-04-01T00:00:00", "image_name": "swebench/swesmith.x86_64.owner_1776_"
        "proj.0123abcd", "problem_statement": "add() subtracts",
    }
    base.update(changes)
    return base


BUG_PATCH = ("diff --git a/pkg/a.py b/pkg/a.py\nindex 1111111..2222222 100644\n--- a/pkg/a.py\n"
             "+++ b/pkg/a.py\n@@ -1,2 +1,2 @@\n def add(a, b):\n-    return a + b\n"
             "+    return a - b\n")
FIX_PATCH = ("diff --git a/pkg/a.py b/pkg/a.py\nindex 2222222..1111111 100644\n--- a/pkg/a.py\n"
             "+++ b/pkg/a.py\n@@ -1,2 +1,2 @@\n def add(a, b):\n+    return a + b\n"
             "-    return a - b\n")


def test_swe_smith_rows_name_their_image_and_keep_the_fix(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "SWE-smith.jsonl", [smith_row()])
    loaded = load_swebench(path)
    task = loaded.tasks[0]
    assert (task.image, task.test_patch, task.patch) == (
        smith_row()["image_name"], "", FIX_PATCH)
    assert task.repo_source == GitSource(
        kind="git", url="https://github.com/swesmith/owner__proj.0123abcd.git", commit=SHA)
    assert (task.source, loaded.dropped_columns) == ("swe-smith", ())
    both = load_swebench(write_jsonl(tmp_path / "r.jsonl", [smith_row(image="mine:1",
                                                                       test_patch="tests")]))
    assert (both.tasks[0].image, both.tasks[0].test_patch) == ("mine:1", "tests")
    assert both.tasks[0].source == "swe-bench"


def test_test_patch_is_still_required_of_swe_bench_rows(tmp_path: Path) -> None:
    with pytest.raises(BankError, match="missing") as caught:
        load_swebench(write_jsonl(tmp_path / "r.jsonl", [row(test_patch=...)]))
    assert caught.value.field == "test_patch"


def test_swe_smith_binary_bug_patch_is_an_invalid_row(tmp_path: Path) -> None:
    binary = "diff --git a/x.png b/x.png\nindex 1..2 100644\nGIT binary patch\nliteral 1\n"
    path = write_jsonl(tmp_path / "SWE-smith.jsonl", [smith_row(patch=binary),
                                                      smith_row(instance_id="o__p.1.x")])
    loaded = load_swebench(path, skip_invalid_rows=True)
    assert [task.instance_id for task in loaded.tasks] == ["o__p.1.x"]
    assert (loaded.skipped[0].field, "binary" in str(loaded.skipped[0])) == ("patch", True)


ASSET = {"path": "test/expected.png", "url": "https://example.org/expected.png"}


@pytest.mark.parametrize(("value", "expected"), [
    (json.dumps({"problem_statement": ["https://example.org/issue.png"], "patch": [],
                 "test_patch": [ASSET]}),
     {"problem_statement": [{"url": "https://example.org/issue.png"}], "test_patch": [ASSET]}),
    ({"test_patch": [ASSET | {"note": None}], "patch": None}, {"test_patch": [ASSET]}),
    ("", {}), (None, {}), ({"patch": []}, {}),
])
def test_multimodal_image_assets_are_kept(tmp_path: Path, value: Any,
                                          expected: dict[str, Any]) -> None:
    path = tmp_path / "SWE-bench_Multimodal.json"
    path.write_text(json.dumps([row(image_assets=value)]))
    task = load_swebench(path).tasks[0]
    assert task.image_assets == expected
    assert ("image_assets" in task.model_dump(exclude_defaults=True)) == bool(expected)


def test_multimodal_image_assets_from_parquet_structs(tmp_path: Path) -> None:
    path = tmp_path / "SWE-bench_Multimodal.parquet"
    rows = [row(instance_id="a__b-1", image_assets={"test_patch": [ASSET], "patch": []}),
            row(instance_id="a__b-2", image_assets={"test_patch": [], "patch": []})]
    pq.write_table(pa.Table.from_pylist(rows), path)
    loaded = load_swebench(path)
    assert [task.image_assets for task in loaded.tasks] == [{"test_patch": [ASSET]}, {}]


@pytest.mark.parametrize(("value", "field"), [
    ("[]", "image_assets"), ({"test_patch": "x.png"}, "image_assets.test_patch"),
    ({"test_patch": [ASSET, {"path": 3}]}, "image_assets.test_patch.1"),
])
def test_malformed_image_assets_name_the_entry(tmp_path: Path, value: Any, field: str) -> None:
    path = write_jsonl(tmp_path / "rows.jsonl", [row(image_assets=value)])
    with pytest.raises(BankError) as caught:
        load_swebench(path)
    assert (caught.value.line, caught.value.field) == (1, field)


# --- reverse_patch ---------------------------------------------------------------------------

def git(directory: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=directory, check=True, capture_output=True,
                          text=True).stdout


CLEAN = {"pkg/a.py": "def add(a, b):\n    return a + b\n# end\n",
         "pkg/gone.py": "def helper():\n    return 1\n",
         "pkg/moved.py": "".join(f"line {i}\n" for i in range(20)),
         "pkg/tail.sql": "--- a heading that looks like a diff header\nselect 1;",
         "run.sh": "echo hi\n"}
BUGGY = {"pkg/a.py": "def add(a, b):\n    return a - b\n# end\n",
         "pkg/new.py": "X = 1",
         "pkg/renamed.py": "".join(f"line {i}\n" for i in range(20)) + "line 20\n",
         "pkg/tail.sql": "++ a line that looks like a diff header\nselect 2;\n",
         "run.sh": "echo hi\n"}


def test_reversed_bug_patch_restores_the_clean_tree(tmp_path: Path) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repo = tmp_path / "repo"
    (repo / "pkg").mkdir(parents=True)
    git(repo, "init", "-q")
    for name, content in CLEAN.items():
        (repo / name).write_text(content)
    git(repo, "add", "-A")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "clean")
    for name in CLEAN:
        (repo / name).unlink()
    for name, content in BUGGY.items():
        (repo / name).write_text(content)
    (repo / "run.sh").chmod(0o755)
    git(repo, "add", "-A")
    bug = git(repo, "diff", "--cached", "-M")
    assert "rename from pkg/moved.py" in bug and "new mode 100755" in bug
    assert "\\ No newline at end of file" in bug and "deleted file mode" in bug
    fix = reverse_patch(bug)
    assert reverse_patch(fix) == bug
    (repo / "fix.diff").write_text(fix)
    git(repo, "apply", "--index", "fix.diff")
    (repo / "fix.diff").unlink()
    assert git(repo, "diff", "--cached", "--stat", "HEAD") == ""
    assert {str(p.relative_to(repo)): p.read_text() for p in repo.rglob("*")
            if p.is_file() and ".git" not in p.parts} == CLEAN


@pytest.mark.parametrize(("patch", "words"), [
    ("diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1,2 +1,2 @@\n-a\n+b\n", "ends inside"),
    ("diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n+c\n", "more lines"),
    ("diff --git a/x b/y\nsimilarity index 90%\ncopy from x\ncopy to y\n", "copy"),
    ("diff --git a/x b/x\n--- a/x\nindex 1..2\n", "not followed by"),
    ("diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n?a\n", "not context"),
])
def test_patches_that_cannot_be_reversed(patch: str, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        reverse_patch(patch)
