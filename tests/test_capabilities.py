"""Capabilities (harness.capabilities): the registry, navigation's declaration, a toy
capability added from a single module and run through pytest, reward functions."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from harness import rewards
from harness.capabilities import capability_names, get_capability, register
from harness.capabilities.navigation import NAVIGATION, NavigationExpectations
from harness.errors import ConfigError
from harness.grading import ExactAnswer, HiddenTests
from harness.harmony import from_hf_messages
from harness.results import Outcome
from harness.run_config import RunConfig
from harness.rundir import RunDir
from harness.runner import play_and_grade
from harness.task import Task
from harness.trajectory import Trajectory


def test_navigation_declares_every_piece() -> None:
    assert "navigation" in capability_names()
    navigation = get_capability("navigation")
    assert navigation is NAVIGATION
    assert navigation.banks == ("bank.jsonl", "pypi.jsonl")
    assert {kind: type(grader) for kind, grader in navigation.graders.items()} == {
        "tests": HiddenTests, "answer": ExactAnswer}
    assert navigation.expectations is NavigationExpectations
    assert set(navigation.rewards) == {"resolved", "fail_to_pass", "files_found", "format"}
    assert navigation.gate_pass_rate == 0.5


def test_navigation_tools_prompts_and_oracle_come_from_the_declaration(tiny_task: Task) -> None:
    tools = NAVIGATION.tools(tiny_task)
    assert {"find_symbol", "read_file", "apply_patch", "run_tests"} <= set(tools)
    system, user = NAVIGATION.opening(tiny_task)
    assert (system.role, system.content) == ("system", NAVIGATION.system_prompt)
    assert user.role == "user" and tiny_task.problem_statement in user.content
    trajectory, outcome = play_and_grade(tiny_task, RunConfig(model="oracle"))
    assert outcome.resolved
    assert [step.tool for step in trajectory.steps][-2:] == ["apply_patch", "run_tests"]


def test_the_formatter_gives_a_trainable_conversation(tiny_task: Task) -> None:
    trajectory, _ = play_and_grade(tiny_task, RunConfig(model="oracle"))
    tools = [tool.spec for tool in NAVIGATION.tools(tiny_task).values()]
    example = NAVIGATION.formatter(tiny_task, trajectory, tools)
    assert (example.instance_id, example.capability) == (tiny_task.instance_id, "navigation")
    assert [tool["function"]["name"] for tool in example.tools] == [t.name for t in tools]
    assert from_hf_messages(example.messages) == [
        message.model_copy(update={"turn": None}) for message in trajectory.messages]


def test_a_capability_of_another_name_cannot_take_a_registered_name() -> None:
    with pytest.raises(ConfigError, match="already registered"):
        register(dataclasses.replace(NAVIGATION, description="an impostor"))
    assert register(NAVIGATION) is NAVIGATION


def test_an_unknown_capability_says_which_exist() -> None:
    with pytest.raises(ConfigError, match=r"no capability named 'planing'; known: .*navigation"):
        get_capability("planing")


def test_a_capability_from_an_entry_point(tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """What another package does: a module and an entry point in its metadata."""
    (tmp_path / "extra_capability.py").write_text(
        "import dataclasses\nfrom harness.capabilities.navigation import NAVIGATION\n"
        "EXTRA = dataclasses.replace(NAVIGATION, name='extra-navigation')\n")
    info = tmp_path / "extra_capability-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: extra-capability\n"
                                   "Version: 1.0\n")
    (info / "entry_points.txt").write_text(
        "[harness.capabilities]\nextra-navigation = extra_capability:EXTRA\n"
        "broken = extra_capability:MISSING\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert "extra-navigation" in capability_names()
    assert get_capability("extra-navigation").graders is NAVIGATION.graders
    with pytest.raises(ConfigError, match=r"entry point 'broken'.*does not load"):
        get_capability("broken")


def test_a_toy_capability_from_one_module_runs_through_pytest(toy_suite: pytest.Pytester
                                                              ) -> None:
    run_dir = toy_suite.path / "run"
    result = toy_suite.runpytest_subprocess("-p", "no:cacheprovider", "--model", "oracle",
                                            "--run-dir", str(run_dir), "-n", "2")
    result.assert_outcomes(passed=3)
    assert result.ret == 0
    result.stdout.fnmatch_lines(["*toy: PASS  3/3 resolved*gate >= 100.0%*",
                                 "*scores: answered 1.00, counted 1.00*"])
    rows = RunDir(run_dir).results()
    assert {row.capability for row in rows} == {"toy"}
    trajectory = json.loads((run_dir / rows[0].trajectory).read_text())  # type: ignore[operator]
    assert trajectory["messages"][0]["content"].startswith("You count lines.")
    assert {step["tool"] for step in trajectory["steps"]} == {"count_lines"}

    null = toy_suite.runpytest_subprocess("-p", "no:cacheprovider", "--model", "null",
                                          "--run-dir", str(toy_suite.path / "null"))
    null.assert_outcomes(failed=3)
    assert null.ret == 1
    null.stdout.fnmatch_lines(["*toy: FAIL  0/3 resolved*"])


def test_a_suite_refuses_cases_of_another_capability(toy_suite: pytest.Pytester,
                                                     tiny_bank: object) -> None:
    nav_bank = Path(str(tiny_bank.path))  # type: ignore[attr-defined]
    result = toy_suite.runpytest_subprocess("-p", "no:cacheprovider", "--model", "oracle",
                                            "--bank", str(nav_bank))
    assert result.ret == 4
    result.stderr.fnmatch_lines(["ERROR: *case 'calc-001' is a navigation case; the toy suite "
                                 "runs only toy cases"])


# --- reward signals ---------------------------------------------------------------------

statuses = st.sampled_from(["passed", "failed", "error", "skipped", "missing"])


@st.composite
def graded_episodes(draw: st.DrawFn) -> tuple[Trajectory, Outcome]:
    turns = draw(st.integers(min_value=0, max_value=40))
    trajectory = Trajectory(instance_id="x", model="m", turns=turns,
                            format_errors=draw(st.integers(min_value=0, max_value=turns)))
    outcome = Outcome(resolved=draw(st.booleans()), patch_applied=True, candidate_patch="",
                      fail_to_pass=draw(st.dictionaries(st.text(min_size=1), statuses,
                                                        max_size=6)))
    return trajectory, outcome


@given(graded_episodes())
def test_rewards_are_shares_in_the_unit_interval(episode: tuple[Trajectory, Outcome]) -> None:
    trajectory, outcome = episode
    task = Task.model_validate({"instance_id": "x", "repo": "r", "problem_statement": "p",
                                "patch": "", "test_patch": "", "FAIL_TO_PASS": [],
                                "capability": "navigation", "source": "s",
                                "repo_source": {"kind": "path", "path": "."}})
    for reward in (rewards.resolved, rewards.fail_to_pass_share, rewards.format_compliance):
        assert 0.0 <= reward(task, trajectory, outcome) <= 1.0
    assert rewards.resolved(task, trajectory, outcome) == float(outcome.resolved)
    passing = sum(s == "passed" for s in outcome.fail_to_pass.values())
    assert rewards.fail_to_pass_share(task, trajectory, outcome) * len(
        outcome.fail_to_pass or [0]) == pytest.approx(passing)
    if trajectory.turns:
        assert rewards.format_compliance(task, trajectory, outcome) == pytest.approx(
            (trajectory.turns - trajectory.format_errors) / trajectory.turns)
    else:
        assert rewards.format_compliance(task, trajectory, outcome) == 0.0
