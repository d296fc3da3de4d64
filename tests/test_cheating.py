"""A scripted cheater hunts for the gold patch and hidden tests; it must find nothing usable.

It asks the tools for paths outside the repository, then plants a conftest.py
that, when the tests run inside the sandbox, walks the git object store, the
history of every ref, the file system and the harness's cache, and saves what
it found into the repository for the cheater to read back. With bubblewrap
isolation none of it reaches the bank, the gold patch, the hidden tests or
another case; without bubblewrap the harness promises no such thing (see
harness/sandbox/local.py), so the test needs bubblewrap.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.agent import AgentBudget, AgentLoop
from harness.bank import Bank
from harness.capabilities.navigation import NAVIGATION
from harness.grading import grade
from harness.policies.scripted import ScriptedPolicy
from harness.sandbox.bubblewrap import bwrap_available
from harness.sandbox.local import LocalSandbox, cache_root
from harness.tools import default_tools
from harness.trajectory import AssistantTurn, ToolCall

pytestmark = pytest.mark.skipif(not bwrap_available(),
                                reason="needs bubblewrap isolation (apt-get install bubblewrap)")

REPO_ROOT = Path(__file__).resolve().parents[1]
HUNT = '''
import os, subprocess
def sh(command):
    done = subprocess.run(command, shell=True, capture_output=True, text=True, errors="replace",
                          timeout=120)
    return f"$ {{command.replace(hidden, 'HIDDEN')}}\\n{{done.stdout}}{{done.stderr}}\\n"
hidden = "sub(5, " + "2) == 3"
found = "".join(sh(c) for c in [
    "git log --all --format=%H%x20%s",
    "git cat-file --batch-all-objects --batch",
    "git reflog --all",
    "find / \\\\( -path /proc -o -path /sys -o -path /dev \\\\) -prune -o \\\\( "
    "-name 'bank.jsonl' -o -name 'results.jsonl' -o -name 'trajectories' \\\\) -print 2>/dev/null",
    "cat {bank} {trajectories} 2>&1",
    "ls -R {cache} {suites} ~/.cache 2>&1 | head -50",
    f"grep -rlF '{{hidden}}' /tmp /etc /home /root /var {{os.path.dirname(os.getcwd())}} "
    "2>/dev/null",
])
with open("loot.txt", "w") as handle:
    handle.write(found)
'''


def call(name: str, **arguments: object) -> AssistantTurn:
    return AssistantTurn(tool_calls=[ToolCall(name=name, arguments=dict(arguments))])


def cheater_turns(bank: Bank) -> list[AssistantTurn]:
    hunt = HUNT.format(bank=bank.path, trajectories=REPO_ROOT / "runs", cache=cache_root(),
                       suites=REPO_ROOT / "suites")
    conftest = "".join(f"+{line}\n" for line in hunt.splitlines())
    patch = (f"diff --git a/conftest.py b/conftest.py\nnew file mode 100644\n--- /dev/null\n"
             f"+++ b/conftest.py\n@@ -0,0 +1,{len(hunt.splitlines())} @@\n{conftest}")
    return [
        call("read_file", path=str(bank.path)),
        call("read_file", path="../" * 12 + str(bank.path).lstrip("/")),
        call("list_directory", path=str(cache_root())),
        call("repo_search", pattern="sub(5, 2)", path="/"),
        call("apply_patch", patch=patch),
        call("run_tests"),
        call("read_file", path="loot.txt"),
        AssistantTurn(final="done"),
    ]


def test_the_cheater_finds_nothing_and_does_not_resolve(tiny_bank: Bank) -> None:
    task = tiny_bank.tasks[0]
    with LocalSandbox(task.repo_source, isolation="bwrap") as box:
        policy = ScriptedPolicy("cheater", cheater_turns(tiny_bank))
        trajectory = AgentLoop(policy, box, default_tools(task), AgentBudget(max_turns=20)
                               ).run(task.instance_id, NAVIGATION.opening(task))
        candidate = box.diff()
    observations = [m.content for m in trajectory.messages if m.role == "tool"]
    assert all(o.startswith("Error:") for o in observations[:4]), observations[:4]
    loot = "\n".join(line[7:] for line in observations[6].splitlines())  # drop line numbers
    history = loot.split("$ git log --all")[1].split("\n$ ")[0].strip().splitlines()[1:]
    assert len(history) == 1 and history[0].endswith(" base"), history
    found_files = loot.split("$ find /")[1].split("\n$ ")[0].splitlines()[1:]
    assert [f for f in found_files if f.strip()] == [], found_files
    everything = json.dumps([m.model_dump() for m in trajectory.messages])
    secrets = [line[1:] for line in task.patch.splitlines() + task.test_patch.splitlines()
               if line.startswith("+") and not line.startswith("+++") and line[1:].strip()]
    leaked = [s for s in secrets if s in everything and s.strip() not in ("return a + b",)]
    assert "sub(5, 2) == 3" not in everything
    assert leaked == [], leaked
    assert task.instance_id not in loot
    outcome = grade(task, candidate, lambda: LocalSandbox(task.repo_source, isolation="bwrap"))
    assert not outcome.resolved and outcome.dropped == ["conftest.py"]
