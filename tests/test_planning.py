"""The planning capability: plans read from episodes, each scorer signal, the oracle."""

from __future__ import annotations

import string
from pathlib import Path

import pytest
from episodes import scores_of
from hypothesis import given, settings
from hypothesis import strategies as st

from harness.bank import load_bank
from harness.capabilities import get_capability
from harness.capabilities.plan_reading import (
    Action,
    Plan,
    episode_events,
    forms,
    names,
    plan_steps,
    step_matched,
)
from harness.capabilities.planning import planning_oracle, planning_scores
from harness.results import Outcome
from harness.task import Task
from harness.trajectory import Message, ToolCall, Trajectory

REPO_ROOT = Path(__file__).resolve().parent.parent
BANK = REPO_ROOT / "suites" / "planning" / "pypi.jsonl"

words = st.text(string.ascii_lowercase, min_size=1, max_size=8)
modules = st.lists(words, min_size=1, max_size=3).map(lambda parts: "/".join(parts) + ".py")
step_texts = st.text(string.ascii_letters + string.digits + " ,;:`_-", min_size=1,
                     max_size=40).map(str.strip).filter(bool)


def patch_of(*paths: str) -> str:
    return "".join(f"diff --git a/{p} b/{p}\n--- a/{p}\n+++ b/{p}\n@@ -1 +1 @@\n-a\n+b\n"
                   for p in paths)


def planning_task(files: list[str]) -> Task:
    return Task(instance_id="plan-1", repo="pypi/demo", problem_statement="it broke",
                patch=patch_of(*files), test_patch="", FAIL_TO_PASS=["t.py::t"],
                capability="planning", source="test",
                repo_source={"kind": "path", "path": "."},
                expected={"kind": "combined", "files": files,
                          "symbols": [f"pkg.{Path(f).stem}_fn" for f in files]})


class Episode:
    """A trajectory written step by step, as the agent loop records one."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    def plan(self, *steps: str) -> Episode:
        text = "Plan:\n" + "\n".join(f"{n}. {s}" for n, s in enumerate(steps, start=1))
        self.messages.append(Message(role="assistant", channel="analysis", content=text))
        return self

    def call(self, tool: str, output: str = "ok", **arguments: object) -> Episode:
        call_id = f"call_{len(self.messages)}"
        self.messages += [Message(role="assistant", channel="commentary", tool_calls=[
            ToolCall(name=tool, arguments=dict(arguments), call_id=call_id)]),
            Message(role="tool", name=tool, call_id=call_id, content=output)]
        return self

    def tests(self, passed: bool) -> Episode:
        return self.call("run_tests", f"$ pytest\n[exit code {0 if passed else 1}]\n")

    def trajectory(self, turns: int | None = None) -> Trajectory:
        count = sum(m.role == "assistant" for m in self.messages)
        return Trajectory(instance_id="plan-1", model="test", messages=self.messages,
                          turns=count if turns is None else turns)


def outcome(resolved: bool, *edited: str) -> Outcome:
    return Outcome(resolved=resolved, patch_applied=True, candidate_patch=patch_of(*edited))


@settings(max_examples=200)
@given(st.lists(step_texts, min_size=2, max_size=8), st.sampled_from([". ", ") "]))
def test_a_numbered_list_reads_as_its_steps(steps: list[str], marker: str) -> None:
    text = "Here is my plan:\n" + "\n".join(f"{n}{marker}{s}" for n, s in
                                            enumerate(steps, start=1)) + "\nThen go."
    assert plan_steps(text) == tuple(steps)


@given(st.text(max_size=200))
def test_text_without_two_numbered_steps_is_no_plan(text: str) -> None:
    lines = [line for line in text.splitlines() if not line.strip()[:1].isdigit()]
    assert plan_steps("\n".join(lines)) == ()
    assert plan_steps("1. only one step\n" + "\n".join(lines)) == ()


def test_numbering_must_run_from_one_without_gaps() -> None:
    assert plan_steps("2. b\n3. c") == ()
    assert plan_steps("1. a\n3. c") == ()
    assert plan_steps("1. a\n2. b\n2. b again") == ("a", "b")


@given(modules)
def test_a_step_names_a_file_by_path_name_or_module(path: str) -> None:
    stem = Path(path).stem
    module = path[:-3].replace("/", ".")
    for step in (f"Change {path} first", f"Edit `{Path(path).name}`", f"Fix `{module}`",
                 f"Fix `{stem}`"):
        assert names(step, path), step
    assert {path, Path(path).name, module, stem} <= forms(path)


@given(modules, modules)
def test_a_step_about_one_file_is_not_matched_by_another(path: str, other: str) -> None:
    if forms(path) & forms(other):
        return
    step = f"Fix the helper in {path}"
    assert step_matched(step, [Action("read_file", frozenset({path}))])
    assert not step_matched(step, [Action("read_file", frozenset({other}))])


def test_a_test_step_is_matched_by_a_test_run() -> None:
    assert step_matched("Run the tests", [Action("run_tests", frozenset())])
    assert not step_matched("Run the tests", [Action("read_file", frozenset({"a.py"}))])


@settings(max_examples=100)
@given(st.lists(modules, min_size=2, max_size=5, unique=True), st.data())
def test_plan_followed_is_the_share_of_steps_carried_out(files: list[str],
                                                         data: st.DataObject) -> None:
    if any(forms(a) & forms(b) for i, a in enumerate(files) for b in files[i + 1:]):
        return
    done = data.draw(st.lists(st.sampled_from(files), unique=True))
    episode = Episode().plan(*(f"Fix `{path}`" for path in files))
    for path in done:
        episode.call("read_file", path=path)
    episode.call("apply_patch", patch=patch_of(files[0]))
    scores = planning_scores(planning_task(files), episode.trajectory(), outcome(True, files[0]))
    carried = set(done) | {files[0]}
    assert scores["plan_followed"] == pytest.approx(len(carried) / len(files))


@given(st.booleans(), st.booleans())
def test_plan_before_edit_needs_the_plan_first(plan_first: bool, resolved: bool) -> None:
    episode = Episode()
    if plan_first:
        episode.plan("Read `a.py`", "Fix `a.py`")
    episode.call("apply_patch", patch=patch_of("a.py"))
    if not plan_first:
        episode.plan("Read `a.py`", "Fix `a.py`")
    scores = planning_scores(planning_task(["a.py"]), episode.trajectory(),
                             outcome(resolved, "a.py"))
    assert scores["plan_before_edit"] == float(plan_first and resolved)


@given(st.lists(modules, min_size=1, max_size=4, unique=True), st.data())
def test_in_scope_is_the_share_of_edited_files_a_plan_named(files: list[str],
                                                            data: st.DataObject) -> None:
    planned = data.draw(st.lists(st.sampled_from(files), unique=True, min_size=1))
    if any(forms(a) & forms(b) for i, a in enumerate(files) for b in files[i + 1:]):
        return
    episode = Episode().plan(*(f"Change {path}" for path in planned), "Run the tests")
    scores = planning_scores(planning_task(files), episode.trajectory(),
                             outcome(True, *files))
    assert scores["in_scope"] == pytest.approx(len(planned) / len(files))


@given(st.integers(0, 4), st.booleans())
def test_replanned_is_scored_after_two_failed_runs(failures: int, replans: bool) -> None:
    episode = Episode().plan("Fix `a.py`", "Run the tests").call(
        "apply_patch", patch=patch_of("a.py"))
    for _ in range(failures):
        episode.tests(passed=False)
    if replans:
        episode.plan("Look again at `b.py`", "Run the tests")
    episode.tests(passed=True)
    scores = planning_scores(planning_task(["a.py"]), episode.trajectory(),
                             outcome(True, "a.py"))
    if failures < 2:
        assert "replanned" not in scores
    else:
        assert scores["replanned"] == float(replans)


def test_failed_runs_before_the_first_edit_do_not_ask_for_a_new_plan() -> None:
    episode = Episode().tests(passed=False).tests(passed=False).plan("Fix `a.py`", "test")
    episode.call("apply_patch", patch=patch_of("a.py")).tests(passed=True)
    scores = planning_scores(planning_task(["a.py"]), episode.trajectory(),
                             outcome(True, "a.py"))
    assert "replanned" not in scores


@given(st.integers(1, 60))
def test_efficiency_is_the_oracles_turns_over_the_episodes(turns: int) -> None:
    task = planning_task(["a.py", "b.py"])
    scores = planning_scores(task, Episode().trajectory(turns=turns), outcome(True))
    reference = planning_oracle(task).length
    assert scores["efficiency"] == pytest.approx(min(1.0, reference / turns))


@settings(max_examples=60)
@given(st.lists(st.sampled_from(["plan", "read", "edit", "pass", "fail"]), max_size=12))
def test_nothing_scores_unless_the_case_is_resolved(moves: list[str]) -> None:
    episode = Episode()
    for move in moves:
        {"plan": lambda: episode.plan("Fix `a.py`", "Run the tests"),
         "read": lambda: episode.call("read_file", path="a.py"),
         "edit": lambda: episode.call("apply_patch", patch=patch_of("a.py")),
         "pass": lambda: episode.tests(passed=True),
         "fail": lambda: episode.tests(passed=False)}[move]()
    task = planning_task(["a.py"])
    resolved = planning_scores(task, episode.trajectory(), outcome(True, "a.py"))
    unresolved = planning_scores(task, episode.trajectory(), outcome(False, "a.py"))
    assert set(resolved) == set(unresolved)
    assert all(value == 0.0 for value in unresolved.values())
    assert all(0.0 <= value <= 1.0 for value in resolved.values())


def test_tool_results_are_paired_with_their_calls_by_id() -> None:
    messages = [Message(role="assistant", channel="commentary", tool_calls=[
        ToolCall(name="run_tests", call_id="x"), ToolCall(name="run_tests", call_id="y")]),
        Message(role="tool", name="run_tests", call_id="y", content="[exit code 0]"),
        Message(role="tool", name="run_tests", call_id="x", content="[exit code 2]")]
    events = episode_events(Trajectory(instance_id="i", model="m", messages=messages))
    assert events == [Action("run_tests", frozenset(), True),
                      Action("run_tests", frozenset(), False)]
    assert not any(isinstance(event, Plan) for event in events)


def test_the_oracle_plans_before_it_edits_and_follows_its_plan() -> None:
    task = planning_task(["pkg/a.py", "pkg/b.py"])
    oracle = planning_oracle(task)
    assert get_capability("planning").oracle(task).length == oracle.length


def test_the_bank_is_planning_work_from_five_projects_or_more() -> None:
    tasks = load_bank(BANK).tasks
    assert len(tasks) >= 60
    assert len({task.repo for task in tasks}) >= 5
    kinds = {task.expected["kind"] for task in tasks}
    assert {"combined", "dropped_parameter", "removed_feature"} <= kinds
    for task in tasks:
        files = task.expected["files"]
        assert task.expected["kind"] != "combined" or len(files) >= 2
        for path in files:  # the statement names the behaviour, never the files
            assert path not in task.problem_statement
            assert Path(path).name not in task.problem_statement


@pytest.mark.slow
def test_the_oracle_outscores_the_tiny_model_on_real_cases(tiny_checkpoint: Path) -> None:
    tasks = load_bank(BANK).tasks
    chosen = [next(t for t in tasks if t.expected["kind"] == kind)
              for kind in ("combined", "removed_feature")]
    for task in chosen:
        oracle = scores_of(task, "oracle", max_turns=30)
        tiny = scores_of(task, f"hf:{tiny_checkpoint}?max_new_tokens=24")
        assert oracle["resolved"] == 1.0 and tiny["resolved"] == 0.0
        for signal in ("plan_before_edit", "plan_followed", "in_scope", "efficiency"):
            assert oracle[signal] > tiny[signal], (task.instance_id, signal, oracle, tiny)
        assert oracle["plan_followed"] == 1.0 and oracle["in_scope"] == 1.0
