"""Shared fixtures: an isolated harness cache and a tiny real project with a bank built from it."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings
from tiny_project import TINY_FILES

from generators.tasks.fixture_bank import build_case
from harness.bank import Bank, load_bank
from harness.protocols import Tool
from harness.run_config import RunConfig
from harness.run_meta import run_metadata
from harness.rundir import RunDir
from harness.sandbox.bubblewrap import bwrap_available
from harness.sandbox.local import LocalSandbox
from harness.task import Task
from harness.tools import default_tools

pytest_plugins = ["pytester"]

# The tests share two cores with Docker builds and subprocess suites: a per-example time
# limit would measure the machine's load, not the code, so no property test has one.
settings.register_profile("harness", deadline=None)
settings.load_profile("harness")


TINY_CASES = [
    {"id": "calc-001", "problem_statement": "Subtracting 2 from 5 gives 7 instead of 3.",
     "files": ["calc/ops/arith.py"], "symbols": ["calc.ops.arith.sub"],
     "bug": [{"file": "calc/ops/arith.py", "find": "return a - b", "replace": "return a + b"}],
     "hidden_tests": [{"file": "tests/test_arith.py", "content":
                       "from calc.ops.arith import sub\n\n\ndef test_sub():\n"
                       "    assert sub(5, 2) == 3\n"}]},
    {"id": "calc-002", "problem_statement": "Clamping 50 into [0, 10] returns 50.",
     "files": ["calc/ops/arith.py"], "symbols": ["calc.ops.arith.clamp"],
     "bug": [{"file": "calc/ops/arith.py", "find": "    if x > high:\n        return high\n",
              "replace": ""}],
     "hidden_tests": [{"file": "tests/test_clamp.py", "content":
                       "from calc.ops.arith import clamp\n\n\ndef test_clamp_high():\n"
                       "    assert clamp(50, 0, 10) == 10\n\n\ndef test_clamp_inside():\n"
                       "    assert clamp(5, 0, 10) == 5\n"}]},
    {"id": "calc-003", "problem_statement": "Padding 'ab' to width 4 gives 'ab' unchanged.",
     "files": ["calc/text/fmt.py"], "symbols": ["calc.text.fmt.pad"],
     "bug": [{"file": "calc/text/fmt.py", "find": "text.rjust(width)", "replace": "text"}],
     "hidden_tests": [{"file": "tests/test_fmt.py", "content":
                       "from calc.text.fmt import pad\n\n\ndef test_pad_short_text():\n"
                       "    assert pad('ab', 4) == '  ab'\n"}]},
]


def write_tiny_project(root: Path) -> Path:
    """Write the tiny project under ``root/repos/calc``; returns the bank folder ``root``."""
    for relative, text in TINY_FILES.items():
        path = root / "repos" / "calc" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


@pytest.fixture
def run_dir(tmp_path: Path) -> RunDir:
    """An empty run directory, created as a session creates it."""
    run = RunDir(tmp_path / "run")
    run.create(run_metadata(RunConfig(model="oracle"), "test-session", [], []))
    return run


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real data files (``../shared/data``, or ``$HARNESS_SHARED_DATA``); tests that need
    them are skipped, naming the path, where they are absent."""
    override = os.environ.get("HARNESS_SHARED_DATA")
    root = Path(override) if override else Path(__file__).resolve().parents[2] / "shared" / "data"
    if not root.is_dir():
        pytest.skip(f"real data files not found at {root} (set HARNESS_SHARED_DATA)")
    return root


@pytest.fixture(scope="session", autouse=True)
def isolated_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Templates and workspaces of the tests live in a temporary cache."""
    cache = tmp_path_factory.mktemp("harness-cache")
    os.environ["HARNESS_CACHE"] = str(cache)
    return cache


@pytest.fixture(scope="session")
def tiny_bank(tmp_path_factory: pytest.TempPathFactory) -> Bank:
    """A bank of three real cases over the tiny project, built and validated by the builder."""
    root = write_tiny_project(tmp_path_factory.mktemp("tiny"))
    tasks = [build_case(root, "calc", case, "navigation") for case in TINY_CASES]
    bank_path = root / "bank.jsonl"
    bank_path.write_text("".join(task.model_dump_json() + "\n" for task in tasks))
    return load_bank(bank_path)


@pytest.fixture
def tiny_suite_module(tiny_bank: Bank) -> str:
    """The source of a suite module over the tiny bank, as a suite author writes one."""
    return (
        "import pytest\nfrom harness.pytest_plugin import assert_resolved\n\n"
        f"pytestmark = pytest.mark.harness_suite(capability='navigation', "
        f"banks=[{str(tiny_bank.path)!r}])\n\n\n"
        "def test_case(case_result):\n    assert_resolved(case_result)\n")


TOY_CAPABILITY = '''\
"""A toy capability declared in one module: how many lines does a file have?

Its own tool, prompts, grader, scorer, rewards, oracle and expectations; nothing in
the harness was edited to add it.
"""

import pytest
from pydantic import BaseModel, ConfigDict

from harness.capabilities import register
from harness.policies.scripted import ScriptedPolicy
from harness.protocols import Capability
from harness.pytest_plugin import assert_resolved
from harness.results import Outcome
from harness.sft import conversation_example
from harness.tools import FunctionTool
from harness.tools._base import spec
from harness.trajectory import AssistantTurn, ToolCall


class LineCount(BaseModel):
    model_config = ConfigDict(extra="forbid")

    path: str
    lines: int


def count_lines(sandbox, path):
    return str(len(sandbox.read_file(path).decode().splitlines()))


COUNT = FunctionTool(spec("count_lines", "Count the lines of a file.",
                          {"path": {"type": "string"}}, ("path",)), count_lines)


class ExactNumber:
    def check(self, task):
        task.expectations(LineCount)

    def grade(self, task, submission, open_sandbox, timeout):
        want = str(task.expectations(LineCount).lines)
        return Outcome(resolved=submission.answer.strip() == want, patch_applied=False,
                       candidate_patch=submission.patch,
                       scores={"answered": float(bool(submission.answer.strip()))})

    def case_problems(self, task, at_base, open_sandbox):
        return []


def oracle(task):
    expected = task.expectations(LineCount)
    return ScriptedPolicy("oracle", [
        AssistantTurn(tool_calls=[ToolCall(name="count_lines", arguments={"path": expected.path})]),
        AssistantTurn(final=str(expected.lines))])


TOY = register(Capability(
    name="toy", description="count the lines of a file", banks=("toy.jsonl",),
    graders={"number": ExactNumber()}, tools=lambda task: {"count_lines": COUNT},
    system_prompt="You count lines. Answer with the number only.",
    task_prompt=lambda task: task.problem_statement,
    scorer=lambda task, trajectory, outcome: {"counted": float(len(trajectory.steps) > 0)},
    rewards={"resolved": lambda task, trajectory, outcome: float(outcome.resolved)},
    formatter=conversation_example, oracle=oracle, expectations=LineCount,
    gate_pass_rate=1.0))

pytestmark = pytest.mark.harness_suite(capability="toy")


def test_case(case_result):
    assert_resolved(case_result)
'''


@pytest.fixture
def toy_bank_rows(tiny_bank: Bank) -> Callable[[list[str]], str]:
    """Rows of the toy capability's bank over the tiny project, ``toy-NAME`` for each name
    (``fmt`` asks about calc/text/fmt.py, any other name about calc/ops/arith.py)."""
    source = tiny_bank.tasks[0].repo_source.model_dump()

    def rows(names: list[str]) -> str:
        lines = []
        for name in names:
            path = "calc/text/fmt.py" if name == "fmt" else "calc/ops/arith.py"
            lines.append(Task(
                instance_id=f"toy-{name}", repo="fixtures/calc", problem_statement=f"How many "
                f"lines does {path} have?", patch="", test_patch="", FAIL_TO_PASS=[],
                capability="toy", source="test", repo_source=source, grader="number",
                expected={"path": path, "lines": len(TINY_FILES[path].splitlines())},
            ).model_dump_json())
        return "".join(line + "\n" for line in lines)

    return rows


@pytest.fixture
def toy_suite(pytester: pytest.Pytester,
              toy_bank_rows: Callable[[list[str]], str]) -> pytest.Pytester:
    """A pytester folder holding the toy capability's module and its bank (three cases)."""
    pytester.makepyfile(test_toy=TOY_CAPABILITY)
    (pytester.path / "toy.jsonl").write_text(toy_bank_rows(["arith", "fmt", "other"]))
    return pytester


@pytest.fixture
def tiny_task(tiny_bank: Bank) -> Task:
    return tiny_bank.tasks[0]


ISOLATIONS = [
    "none",
    pytest.param("bwrap", marks=pytest.mark.skipif(
        not bwrap_available(), reason="bubblewrap is not installed or not usable here")),
]


@pytest.fixture(scope="session")
def docker_engine() -> Any:
    """A Docker client with the base image present (built offline with debootstrap when
    missing, about a minute once per machine). Without an engine the test is skipped with
    the reason; with HARNESS_REQUIRE_DOCKER=1 (as in CI) it fails instead."""
    from harness.errors import ConfigError, SandboxError
    from harness.sandbox.backends import shared_docker_client
    from harness.sandbox.images import ensure_base_image

    try:
        client = shared_docker_client()
        ensure_base_image(client)
    except (ConfigError, SandboxError) as exc:
        reason = f"docker backend unavailable: {exc}"
        if os.environ.get("HARNESS_REQUIRE_DOCKER") == "1":
            pytest.fail(f"{reason} (HARNESS_REQUIRE_DOCKER=1)")
        pytest.skip(reason)
    return client


@pytest.fixture(params=ISOLATIONS)
def box(request: pytest.FixtureRequest, tiny_task: Task) -> Iterator[LocalSandbox]:
    """A workspace of the tiny task, once per isolation mode (bubblewrap skipped if absent)."""
    with LocalSandbox(tiny_task.repo_source, isolation=request.param,
                      expected_commit=tiny_task.base_commit) as sandbox:
        yield sandbox


@pytest.fixture
def tools(tiny_task: Task) -> dict[str, Tool]:
    return default_tools(tiny_task)


class LocalIndex:
    """A PEP 691 package index on a loopback port, serving sdists the test publishes."""

    def __init__(self, root: Path, url: str) -> None:
        self.root = root
        self.url = url

    def publish(self, name: str, version: str, files: dict[str, str]) -> str:
        """Build ``name-version.tar.gz`` from ``files``, list it, and return its sha256."""
        import hashlib
        import io
        import json
        import re
        import tarfile

        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w:gz") as bundle:
            for relative, text in sorted(files.items()):
                data = text.encode()
                info = tarfile.TarInfo(f"{name}-{version}/{relative}")
                info.size, info.mtime = len(data), 0
                bundle.addfile(info, io.BytesIO(data))
        archive = buffer.getvalue()
        filename = f"{name}-{version}.tar.gz"
        (self.root / "files").mkdir(exist_ok=True)
        (self.root / "files" / filename).write_bytes(archive)
        sha256 = hashlib.sha256(archive).hexdigest()
        listing = self.root / "simple" / re.sub(r"[-_.]+", "-", name).lower()
        listing.mkdir(parents=True, exist_ok=True)
        entry = {"filename": filename, "url": f"{self.url}/files/{filename}",
                 "hashes": {"sha256": sha256}}
        (listing / "index.html").write_text(json.dumps({"files": [entry]}))
        return sha256


@pytest.fixture
def local_index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[LocalIndex]:
    """Serve a package index from ``tmp_path``; ``HARNESS_PYPI_INDEX`` points at it."""
    import functools
    import http.server
    import threading

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            """No access log on the test's output."""

    handler = functools.partial(Quiet, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    monkeypatch.setenv("HARNESS_PYPI_INDEX", f"{url}/simple")
    yield LocalIndex(tmp_path, url)
    server.shutdown()


@pytest.fixture(scope="session")
def tiny_checkpoint(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A saved tiny GPT-OSS checkpoint (the train extra), for runs of a real model."""
    pytest.importorskip("torch", reason="needs the train extra (torch==2.13.0)")
    pytest.importorskip("transformers", reason="needs the train extra")
    from trainers.tiny_model import save_tiny_model

    return save_tiny_model(tmp_path_factory.mktemp("tiny-checkpoint") / "model")

