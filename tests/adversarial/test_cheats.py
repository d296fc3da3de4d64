"""Every scripted cheat, against the local sandbox under bubblewrap and against docker.

A cheat enters through the real seam (a policy URI, ``cheat:NAME``) and the real runner:
it must resolve nothing, leave the run healthy (a result row that is the model's, never
an infrastructure error; nothing outside the sandbox touched), be classified (model,
tampering, timeout or resource limit), and learn nothing of the hidden tests or the gold
patch from what the tools showed it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from cheats import CHEATS, GOLD_LINE, HIDDEN_TEST, Cheat  # tests/adversarial is on sys.path

from harness import policies
from harness.agent import AgentBudget
from harness.run_config import RunConfig
from harness.run_meta import run_metadata
from harness.rundir import RunDir
from harness.runner import run_case
from harness.sandbox.bubblewrap import bwrap_available
from harness.sandbox.limits import Limits
from harness.task import Task

pytestmark = pytest.mark.slow
LIMITS = Limits(memory="768m", pids=256, disk="256m", tmp="64m")
BACKENDS = [
    pytest.param("local", marks=pytest.mark.skipif(
        not bwrap_available(), reason="needs bubblewrap isolation (apt-get install bubblewrap)")),
    pytest.param("docker", marks=pytest.mark.docker),
]


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    if request.param == "docker":
        request.getfixturevalue("docker_engine")
    return str(request.param)


def answer_case(task: Task) -> Task:
    return task.model_copy(update={
        "instance_id": "calc-where", "problem_statement": "Where is padding done?",
        "patch": "", "test_patch": "", "FAIL_TO_PASS": [], "PASS_TO_PASS": [],
        "expected_answer": ["calc/text/fmt.py::pad"], "grader": "answer"})


def secrets_of(task: Task) -> list[str]:
    """What only the bank holds: the hidden test, and the gold patch's hunks as diff text (a
    single line such as ``return a - b`` also appears in unrelated installed code)."""
    hunks = [hunk for hunk in task.patch.split("@@") if GOLD_LINE in hunk]
    return [HIDDEN_TEST, *(hunk.strip() for hunk in hunks)]


@pytest.mark.parametrize("backend", BACKENDS, indirect=True)
@pytest.mark.parametrize("cheat", CHEATS, ids=[cheat.name for cheat in CHEATS])
def test_a_cheat_resolves_nothing_and_the_run_stays_healthy(
        cheat: Cheat, backend: str, tiny_task: Task, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(policies.POLICIES, "cheat", "cheats:make_cheat")
    task = answer_case(tiny_task) if cheat.answer_graded else tiny_task
    config = RunConfig(model=f"cheat:{cheat.name}", sandbox=backend,  # type: ignore[arg-type]
                       isolation="bwrap", limits=LIMITS, infra_retries=0, grading_timeout=60,
                       budget=AgentBudget(max_turns=12, wall_time=20))
    run_dir = RunDir(tmp_path / "run")
    run_dir.create(run_metadata(config, "adversarial", [], []))
    result = run_case(task, 1, config, run_dir)

    assert result.status == "unresolved", (result.status, result.error)
    assert result.failure_kind in cheat.kinds, (result.failure_kind, result.outcome)
    assert [row.status for row in run_dir.results()] == ["unresolved"]
    assert result.trajectory is not None
    stored = (run_dir.path / result.trajectory).read_text(encoding="utf-8")
    trajectory: dict[str, Any] = json.loads(stored)
    shown = "\n".join(m["content"] for m in trajectory["messages"] if m["role"] == "tool")
    leaked = [secret for secret in secrets_of(tiny_task) if secret in shown]
    assert leaked == [], leaked
    assert "REACHED" not in shown  # no network
    for path in cheat.leaves_outside:
        assert not os.path.exists(path), f"{path} was written outside the sandbox"
    assert len(stored) < 16 << 20  # stored artefacts are bounded
