"""The SWE-bench family as capabilities: SWE-bench Verified, Lite and Multilingual, and R2E-Gym.

Their rows come from the official files or dataset names, run in the rows' own instance
images (``--sandbox docker``) and are graded by the official harness's rules (the
'swebench' grader, ``harness.grading.official``). The model works as it would on any
repository; its ``run_tests`` runs the repository's own test command, the one the row's
eval script runs, inside the row's environment.
"""

from __future__ import annotations

import hashlib
import shlex
from collections.abc import Callable, Mapping
from pathlib import Path

from harness import rewards
from harness.bank import Bank, check_capability
from harness.capabilities.navigation import SYSTEM_PROMPT, fix_oracle, task_prompt
from harness.errors import ToolError
from harness.grading.grader import HiddenTests
from harness.grading.official import OfficialHarness, eval_test_command
from harness.protocols import Capability, Sandbox, Tool
from harness.results import Outcome
from harness.sft import conversation_example
from harness.task import Task
from harness.tools import default_tools
from harness.tools._base import FunctionTool, spec
from harness.tools.editing import TEST_TIMEOUT
from harness.trajectory import Trajectory

ACTIVATE = "source /opt/miniconda3/bin/activate && conda activate testbed"


def environment_run_tests(command_for: Callable[[list[str]], str], description: str,
                          paths_help: str) -> FunctionTool:
    """A ``run_tests`` tool that runs ``command_for(paths)`` in the image's environment."""

    def run_tests(sandbox: Sandbox, paths: list[object] | None = None) -> str:
        chosen = [str(p) for p in paths or []]
        if any(p.startswith("-") for p in chosen):
            raise ToolError("run_tests: paths must not be options")
        command = command_for(chosen)
        result = sandbox.exec(["bash", "-c", f"{ACTIVATE} >/dev/null 2>&1; {command}"],
                              timeout=TEST_TIMEOUT)
        status = "timed out" if result.timed_out else f"exit code {result.exit_code}"
        return f"$ {command}\n[{status}]\n{result.combined()}"

    return FunctionTool(spec("run_tests", description, {
        "paths": {"type": "array", "items": {"type": "string"}, "description": paths_help}}),
        run_tests)


def official_run_tests(task: Task) -> FunctionTool:
    """``run_tests`` as the row's eval script runs its tests, in the image's environment."""
    return environment_run_tests(
        lambda extra: " ".join([eval_test_command(task), *map(shlex.quote, extra)]),
        "Run the repository's tests as its evaluation does (its own test command), "
        "optionally on more test files.", "extra test files or ids for the command")


def family_tools(task: Task) -> Mapping[str, Tool]:
    """The navigation tools, with ``run_tests`` running the row's own test command."""
    tools = dict(default_tools(task))
    tools["run_tests"] = official_run_tests(task)
    return tools


def no_scores(task: Task, trajectory: Trajectory, outcome: Outcome) -> dict[str, float]:
    """SWE-bench rows carry no expectations beyond their tests."""
    return {}


def rows_reader(name: str, grader: str) -> Callable[[str], Bank]:
    """Read a bank source (a file or a dataset name) as this capability's rows."""

    def read(source: str) -> Bank:
        from harness.datasets import load_r2egym, load_swebench

        loader = load_r2egym if name == "r2e-gym" else load_swebench
        loaded = loader(source, capability=name)
        tasks = [task.model_copy(update={"grader": grader}) for task in loaded.tasks]
        for number, task in enumerate(tasks, start=1):
            check_capability(task, loaded.origin, number)
        digest = hashlib.sha256("".join(t.model_dump_json() for t in tasks).encode())
        return Bank(path=Path(source), sha256=digest.hexdigest(), tasks=tasks)

    return read


def swe_bench_family(name: str, dataset: str, description: str, gate: float,
                     grader: str = "swebench") -> Capability:
    """One capability of the family, reading ``dataset`` unless ``--bank`` names another.
    Its rows are graded by the official harness's rules ('swebench'), or, for R2E-Gym
    (whose rows carry pytest node ids and no log parser), by the hidden tests ('tests').
    ``gate`` is the default pass rate a checkpoint must reach (``--gate-pass-rate``
    overrides it; ``--baseline`` gates on regressions instead)."""
    return Capability(
        name=name, description=description, banks=(f"hf:{dataset}",),
        graders={"swebench": OfficialHarness(), "tests": HiddenTests()}, tools=family_tools,
        system_prompt=SYSTEM_PROMPT, task_prompt=task_prompt, scorer=no_scores,
        rewards={"resolved": rewards.resolved, "fail_to_pass": rewards.fail_to_pass_share,
                 "format": rewards.format_compliance},
        formatter=conversation_example, oracle=fix_oracle, gate_pass_rate=gate,
        read_bank=rows_reader(name, grader), sandboxes=("docker",))


VERIFIED = swe_bench_family("swe-bench-verified", "princeton-nlp/SWE-bench_Verified",
                            "SWE-bench Verified: 500 human-validated GitHub issues, graded by "
                            "the official harness's rules", gate=0.5)
LITE = swe_bench_family("swe-bench-lite", "princeton-nlp/SWE-bench_Lite",
                        "SWE-bench Lite: 300 self-contained GitHub issues", gate=0.4)
MULTILINGUAL = swe_bench_family("swe-bench-multilingual", "SWE-bench/SWE-bench_Multilingual",
                                "SWE-bench Multilingual: 300 issues in 9 languages", gate=0.3)
R2E_GYM = swe_bench_family("r2e-gym", "R2E-Gym/R2E-Gym-Lite",
                           "R2E-Gym: commits turned into issues, graded by their hidden tests",
                           gate=0.3, grader="tests")
