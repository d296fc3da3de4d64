"""The recovery capability: each scorer signal, injected faults, the escalation grader."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from episodes import scores_of
from hypothesis import given, settings
from hypothesis import strategies as st

from generators.tasks.recovery_cases import conflicting_assertion, misdirected, project_frames
from harness.bank import load_bank
from harness.capabilities.recovery import (
    longest_repeat,
    recovery_oracle,
    recovery_scores,
    recovery_tools,
    split_patch,
)
from harness.grading.escalation import ESCALATION_PREFIX, Escalation, escalates
from harness.process import ExecResult
from harness.results import Outcome, Submission
from harness.sandbox.faults import FLAKY_LINE, TRUNCATED_TO, Fault, FaultySandbox
from harness.task import Task
from harness.trajectory import Message, Step, ToolCall, Trajectory

REPO_ROOT = Path(__file__).resolve().parent.parent
BANK = REPO_ROOT / "suites" / "recovery" / "pypi.jsonl"
KINDS = ("misdirected", "interacting", "fault", "unsolvable", "request")


def patch_of(*paths: str, text: str = "b") -> str:
    return "".join(f"diff --git a/{p} b/{p}\n--- a/{p}\n+++ b/{p}\n@@ -1 +1 @@\n-a\n+{text}\n"
                   for p in paths)


def recovery_task(kind: str = "misdirected", faults: list[dict[str, object]] | None = None,
                  files: tuple[str, ...] = ("pkg/a.py",)) -> Task:
    expected: dict[str, object] = {"kind": kind, "files": list(files)}
    if faults:
        expected["faults"] = faults
    if kind == "unsolvable":
        expected["conflict"] = ["tests/test_a.py::test_value[1]"]
    return Task(instance_id="rec-1", repo="pypi/demo", problem_statement="it broke",
                patch=patch_of(*files) if kind != "unsolvable" else "", test_patch="",
                FAIL_TO_PASS=[], capability="recovery", source="test",
                grader="escalation" if kind == "unsolvable" else "tests",
                repo_source={"kind": "path", "path": "."}, expected=expected)


class Episode:
    """Tool calls and their results, as the agent loop records them."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.steps: list[Step] = []

    def call(self, tool: str, output: str = "ok", error: str | None = None,
             **arguments: object) -> Episode:
        call_id = f"c{len(self.steps)}"
        self.messages += [Message(role="assistant", channel="commentary", tool_calls=[
            ToolCall(name=tool, arguments=dict(arguments), call_id=call_id)]),
            Message(role="tool", name=tool, call_id=call_id,
                    content=f"Error: {error}" if error else output)]
        self.steps.append(Step(turn=len(self.steps), tool=tool, arguments=dict(arguments),
                               seconds=0.0, error=error))
        return self

    def edit(self, *paths: str, text: str = "b") -> Episode:
        return self.call("apply_patch", patch=patch_of(*paths, text=text))

    def tests(self, passed: bool) -> Episode:
        return self.call("run_tests", f"$ pytest\n[exit code {0 if passed else 1}]\n")

    def final(self, text: str) -> Episode:
        self.messages.append(Message(role="assistant", channel="final", content=text))
        return self

    def trajectory(self) -> Trajectory:
        return Trajectory(instance_id="rec-1", model="test", messages=self.messages,
                          steps=self.steps, turns=len(self.steps))


def outcome(resolved: bool, *edited: str) -> Outcome:
    return Outcome(resolved=resolved, patch_applied=True, candidate_patch=patch_of(*edited))


@given(st.lists(st.sampled_from(["read_file", "run_tests", "repo_tree"]), max_size=12))
def test_no_echo_is_zero_exactly_when_a_call_repeats_three_times_in_a_row(
        tools: list[str]) -> None:
    episode = Episode()
    for tool in tools:
        episode.call(tool, path="a.py")
    longest = max((len(run) for run in _runs(tools)), default=0)
    assert longest_repeat(episode.steps) == longest
    scores = recovery_scores(recovery_task(), episode.trajectory(), outcome(False))
    assert scores["no_echo"] == float(longest < 3)


def _runs(items: list[str]) -> list[list[str]]:
    runs: list[list[str]] = []
    for item in items:
        if runs and runs[-1][0] == item:
            runs[-1].append(item)
        else:
            runs.append([item])
    return runs


@settings(max_examples=100)
@given(st.lists(st.sampled_from(["edit", "pass", "fail", "read"]), max_size=10))
def test_verified_is_the_share_of_edits_followed_by_a_test_run(moves: list[str]) -> None:
    episode = Episode()
    for number, move in enumerate(moves):
        if move == "edit":
            episode.edit("pkg/a.py", text=f"v{number}")
        elif move == "read":
            episode.call("read_file", path="pkg/a.py")
        else:
            episode.tests(move == "pass")
    scores = recovery_scores(recovery_task(), episode.trajectory(), outcome(True, "pkg/a.py"))
    edits = [i for i, move in enumerate(moves) if move == "edit"]
    if not edits:
        assert "verified" not in scores
        return
    ends = [*edits[1:], len(moves)]
    checked = sum(any(moves[j] in ("pass", "fail") for j in range(start + 1, end))
                  for start, end in zip(edits, ends, strict=True))
    assert scores["verified"] == pytest.approx(checked / len(edits))
    failures = "fail" in moves[edits[0]:]  # a failure once something was tried
    assert ("recovered" in scores) == failures
    if failures:
        assert scores["recovered"] == 1.0


def test_a_retry_is_scored_on_diversity_and_leftovers() -> None:
    episode = (Episode().edit("pkg/a.py", text="one").tests(False).edit("pkg/a.py", text="one")
               .tests(False).edit("pkg/b.py", text="two").tests(True))
    scores = recovery_scores(recovery_task(), episode.trajectory(),
                             outcome(True, "pkg/a.py", "pkg/b.py"))
    assert scores["strategy_diversity"] == pytest.approx(2 / 3)
    assert scores["clean_retry"] == pytest.approx(1 / 2)  # pkg/b.py is not the gold's
    assert scores["recovered"] == 1.0


def test_no_retry_no_retry_scores() -> None:
    scores = recovery_scores(recovery_task(), Episode().edit("pkg/a.py").tests(True)
                             .trajectory(), outcome(True, "pkg/a.py"))
    assert "strategy_diversity" not in scores and "clean_retry" not in scores
    assert "recovered" not in scores and scores["verified"] == 1.0


@given(st.sampled_from(KINDS), st.booleans())
def test_escalation_is_correct_exactly_for_unsolvable_cases(kind: str, escalate: bool) -> None:
    text = f"{ESCALATION_PREFIX} test_value says otherwise" if escalate else "Fixed it."
    scores = recovery_scores(recovery_task(kind), Episode().final(text).trajectory(),
                             outcome(False))
    assert scores["escalation_correct"] == float(escalate == (kind == "unsolvable"))


@given(st.integers(0, 4))
def test_a_fault_is_retried_when_the_faulted_run_is_run_again(runs: int) -> None:
    task = recovery_task("fault", [{"kind": "timeout_once"}])
    episode = Episode()
    for _ in range(runs):
        episode.tests(True)
    scores = recovery_scores(task, episode.trajectory(), outcome(True))
    assert scores["fault_retried"] == float(runs >= 2)


class FakeSandbox:
    """Records commands; every command succeeds with a long output."""

    def __init__(self) -> None:
        self.commands: list[list[str]] = []

    def exec(self, command: list[str], **options: object) -> ExecResult:
        self.commands.append(command)
        return ExecResult(exit_code=0, stdout="x" * 1000, stderr="", timed_out=False,
                          truncated=False, seconds=0.1)


@pytest.mark.parametrize("kind", ["timeout_once", "fail_once", "truncated_once"])
@given(after=st.integers(0, 3), runs=st.integers(0, 6))
def test_each_fault_strikes_one_test_run_once(kind: str, after: int, runs: int) -> None:
    inner = FakeSandbox()
    faulty = FaultySandbox(inner, [Fault(kind=kind, after=after)])  # type: ignore[arg-type]
    results = []
    for _ in range(runs):
        faulty.exec(["git", "status"], timeout=5)
        results.append(faulty.exec(["python", "-m", "pytest", "-q"], timeout=5))
    normal = [r for r in results if r.ok and not r.truncated]
    struck = [r for i, r in enumerate(results) if i == after]
    assert len(normal) == len(results) - len(struck)
    for result in struck:
        if kind == "timeout_once":
            assert result.timed_out
        elif kind == "fail_once":
            assert result.exit_code == 1 and FLAKY_LINE in result.stdout
        else:
            assert result.truncated and len(result.stdout) == TRUNCATED_TO
    ran = sum("pytest" in c for c in inner.commands)
    assert ran == runs - (1 if kind == "timeout_once" and runs > after else 0)
    assert sum("git" in c for c in inner.commands) == runs


def test_only_fault_cases_get_faulty_tools_each_episode_its_own() -> None:
    plain = recovery_tools(recovery_task())
    faulted = recovery_tools(recovery_task("fault", [{"kind": "fail_once"}]))
    assert type(plain["run_tests"]).__name__ == "FunctionTool"
    assert type(faulted["run_tests"]).__name__ == "FaultyTool"
    assert plain.keys() == faulted.keys()
    assert [t.spec for t in plain.values()] == [t.spec for t in faulted.values()]


@given(st.sampled_from([True, False]), st.sampled_from([True, False]),
       st.sampled_from([True, False]))
def test_escalation_needs_the_prefix_no_change_and_the_conflicting_test(
        prefix: bool, changed: bool, names: bool) -> None:
    task = recovery_task("unsolvable")
    answer = (f"{ESCALATION_PREFIX} " if prefix else "") + (
        "test_value in tests/test_a.py asserts the opposite" if names else
        "test_value forbids it")  # the statement names the function: the file is needed
    graded = Escalation().grade(task, Submission(patch=patch_of("pkg/a.py") if changed else "",
                                                 answer=answer), None, 10)  # type: ignore[arg-type]
    assert graded.resolved == (prefix and not changed and names)
    assert graded.scores["escalated"] == float(prefix)
    assert escalates(answer) == prefix


def test_frames_and_misdirection_are_read_from_pytest_tracebacks() -> None:
    traceback = ("def test_shout():\n>       assert shout('a') == 'A'\n\ntests/test_b.py:4: \n"
                 "_ _ _ _\n\n    def shout(x):\n>       return helper(x).upper()\n"
                 "E       AttributeError: 'NoneType' object has no attribute 'upper'\n\n"
                 "pkg/b.py:4: AttributeError")
    assert project_frames(traceback) == ["pkg/b.py"]
    assert misdirected(["pkg/a.py"], {"t": traceback})
    assert not misdirected(["pkg/b.py"], {"t": traceback})
    assert not misdirected(["pkg/a.py"], {"t": "tests/test_b.py:4: AssertionError"})


def test_a_conflict_takes_the_computed_side_from_the_assert_statement() -> None:
    called_left = ">       assert f(x) == 'y'\nE       AssertionError"
    called_right = ">       assert expected == parameterize(text)\nE       AssertionError"
    message = "AssertionError: assert 'x' == 'y'\n - y"
    assert conflicting_assertion({"t::b": message, "t::a": "ValueError: no"},
                                 {"t::b": called_left}) == ("t::b", "'x'", "'y'")
    assert conflicting_assertion({"t::b": message},
                                 {"t::b": called_right}) == ("t::b", "'y'", "'x'")
    both = ">       assert f(a) == g(b)"
    assert conflicting_assertion({"t::b": message}, {"t::b": both}) is None
    cut = "AssertionError: assert 'ab...' == 'y'"
    assert conflicting_assertion({"t::b": cut}, {"t::b": called_left}) is None
    assert conflicting_assertion({"t::a": "AssertionError: 3 != 4"},
                                 {"t::a": called_left}) is None


def test_the_interacting_oracle_fixes_one_file_at_a_time() -> None:
    task = recovery_task("interacting", files=("pkg/a.py", "pkg/b.py"))
    assert [p.count("diff --git") for p in split_patch(task.patch)] == [1, 1]
    oracle = recovery_oracle(task)
    turns = [oracle.next_turn([], []) for _ in range(oracle.length)]
    patches = [c.arguments["patch"] for t in turns for c in t.tool_calls
               if c.name == "apply_patch"]
    assert patches == split_patch(task.patch) and len(turns) == 9


def test_the_bank_has_every_kind_from_five_projects_or_more() -> None:
    tasks = load_bank(BANK).tasks
    assert len(tasks) >= 60
    assert len({task.repo for task in tasks}) >= 5
    assert {task.expected["kind"] for task in tasks} == set(KINDS)
    for task in tasks:
        kind = task.expected["kind"]
        assert (task.grader == "escalation") == (kind == "unsolvable")
        if kind == "fault":
            assert json.dumps(task.expected["faults"])


def test_each_unsolvable_request_has_a_solvable_twin_in_the_same_words() -> None:
    """Escalating whatever reads like a feature request fails the twins."""
    tasks = load_bank(BANK).tasks
    unsolvable = [t for t in tasks if t.expected["kind"] == "unsolvable"]
    requests = {t.problem_statement.split("`")[1]: t for t in tasks
                if t.expected["kind"] == "request"}
    assert unsolvable and len(requests) == len(unsolvable)
    for case in unsolvable:
        check, value, instead = case.problem_statement.split("`")[1:6:2]
        twin = requests[check]
        assert twin.problem_statement == case.problem_statement.replace(
            f"`{value}` rather than `{instead}`", f"`{instead}` rather than `{value}`")
        assert twin.grader == "tests" and twin.FAIL_TO_PASS and twin.patch
        assert twin.repo == case.repo and twin.base_commit != case.base_commit


@pytest.mark.slow
def test_the_oracle_outscores_the_tiny_model_on_real_cases(tiny_checkpoint: Path) -> None:
    tasks = load_bank(BANK).tasks
    for kind in ("fault", "unsolvable"):
        task = next(t for t in tasks if t.expected["kind"] == kind)
        oracle = scores_of(task, "oracle", max_turns=30)
        tiny = scores_of(task, f"hf:{tiny_checkpoint}?max_new_tokens=24")
        assert oracle["resolved"] == 1.0 and tiny["resolved"] == 0.0
        assert oracle["escalation_correct"] == 1.0
        if kind == "fault":
            assert oracle["fault_retried"] > tiny["fault_retried"]
            assert oracle["verified"] == 1.0 and "verified" not in tiny
        else:
            assert oracle["escalated"] > tiny["escalated"]
            assert oracle["named_conflict"] > tiny["named_conflict"]
