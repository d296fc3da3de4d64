"""No input crashes the harness: model output, tool output, file contents and paths.

Property tests feed arbitrary text (lone surrogates included), arbitrary bytes and
arbitrary paths to the places where a case's data meets the harness, and check that
each answers with a value or a ``ToolError``, never another exception, and that
whatever it produced can be stored.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from harness.agent import AgentBudget, AgentLoop
from harness.capabilities.navigation import NAVIGATION
from harness.errors import ToolError
from harness.grading.pytest_run import read_channel
from harness.protocols import ToolSpec
from harness.sandbox.host_files import read_regular, resolve_inside
from harness.sandbox.local import LocalSandbox
from harness.storable import STRING_LIMIT, dump_json, storable_text
from harness.task import Task
from harness.tools import default_tools
from harness.trajectory import AssistantTurn, Message, ToolCall, Trajectory

# Text as a model or a sandbox can produce it: any code point, lone surrogates included.
any_text = st.text(st.characters(exclude_categories=()), max_size=200)
json_values = st.recursive(st.none() | st.booleans() | st.integers() | any_text,
                           lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(any_text, inner, max_size=4), max_leaves=12)


@given(any_text)
def test_any_text_is_stored_and_read_back_as_valid_unicode(text: str) -> None:
    stored = storable_text(text)
    stored.encode("utf-8")  # writable as UTF-8, whatever came in
    assert len(stored) <= 10 * min(len(text), STRING_LIMIT) + 100
    if not any(0xD800 <= ord(c) <= 0xDFFF for c in text):
        assert stored == text


def test_a_long_string_keeps_its_head_and_says_how_long_it_was() -> None:
    stored = storable_text("x" * (STRING_LIMIT + 10))
    assert stored.startswith("x" * 100) and f"{STRING_LIMIT + 10} characters in all" in stored


@given(st.lists(st.builds(Message, role=st.sampled_from(["user", "tool"]), content=any_text,
                          name=st.just("read_file")), max_size=5),
       st.dictionaries(any_text, json_values, max_size=3))
@example([], {"": {"\ud800": None}})  # pydantic's own JSON mode fails on this key
def test_any_trajectory_is_written_as_json(messages: list[Message],
                                           arguments: dict[str, Any]) -> None:
    trajectory = Trajectory(instance_id="x", model="m", messages=messages)
    trajectory.messages.append(Message(role="assistant", channel="commentary",
                                       tool_calls=[ToolCall(name="t", arguments=arguments)]))
    json.loads(dump_json(trajectory))


@given(st.lists(any_text, max_size=8))
def test_the_report_channel_reads_any_lines(lines: list[str]) -> None:
    run = read_channel("\n".join(lines))
    assert all(status in ("passed", "failed", "error", "skipped", "missing")
               for status in run.statuses.values())


# -- paths and files a case made --------------------------------------------------------

names = st.text(st.characters(blacklist_characters="/\0", codec="utf-8"), min_size=1,
                max_size=12).filter(lambda n: n not in (".", ".."))
relative_paths = st.lists(names | st.sampled_from(["..", "."]), min_size=1,
                          max_size=5).map("/".join)


@pytest.fixture(scope="module")
def hostile_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A repository holding links out of it, loops, a FIFO and a sparse file."""
    root = tmp_path_factory.mktemp("hostile") / "repo"
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "ok.py").write_text("x = 1\n")
    (root / "up").symlink_to("..")
    (root / "etc").symlink_to("/etc")
    (root / "loop").symlink_to("loop")
    (root / "pkg" / "inside").symlink_to("../pkg/ok.py")
    (root / "zero").symlink_to("/dev/zero")
    os.mkfifo(root / "fifo")
    with (root / "sparse").open("wb") as handle:
        handle.truncate(1 << 40)
    return root


@given(relative_paths)
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_path_resolves_inside_the_repository_or_is_refused(hostile_tree: Path,
                                                               path: str) -> None:
    try:
        target = resolve_inside(hostile_tree, path)
    except ToolError:
        return
    assert target == hostile_tree or hostile_tree in target.parents
    try:
        data = read_regular(target, 1 << 20)
    except ToolError:
        return
    assert data is None or len(data) <= 1 << 20


@pytest.mark.parametrize(("path", "expected"), [
    ("pkg/inside", b"x = 1\n"), ("fifo", None), ("pkg", None)])
def test_links_inside_are_followed_and_special_files_are_not_read(
        hostile_tree: Path, path: str, expected: bytes | None) -> None:
    assert read_regular(resolve_inside(hostile_tree, path), 1 << 20) == expected


@pytest.mark.parametrize("path", ["etc/passwd", "up/repo/pkg/ok.py", "loop", "/etc/passwd",
                                  "../repo/pkg/ok.py", "zero"])
def test_paths_that_leave_the_repository_are_refused(hostile_tree: Path, path: str) -> None:
    with pytest.raises(ToolError):
        resolve_inside(hostile_tree, path)


def test_a_sparse_file_is_refused_not_read(hostile_tree: Path) -> None:
    with pytest.raises(ToolError, match="larger than"):
        read_regular(resolve_inside(hostile_tree, "sparse"), 1 << 20)


# -- model output into the tools, through the agent loop --------------------------------

class HostilePolicy:
    """Plays the turns it is given: any tool name, any arguments, any text."""

    name = "hostile"

    def __init__(self, turns: Sequence[AssistantTurn]) -> None:
        self.turns = list(turns)

    def next_turn(self, messages: Sequence[Message], tools: Sequence[ToolSpec]) -> AssistantTurn:
        return self.turns.pop(0) if self.turns else AssistantTurn(final="done")


tool_names = st.sampled_from(["read_file", "list_directory", "repo_search", "find_symbol",
                              "apply_patch", "git_diff", "git_log", "git_blame", "create_pr",
                              "repo_tree", "no_such_tool"])
turns = st.builds(AssistantTurn, analysis=any_text, final=st.none() | any_text,
                  format_error=st.none() | any_text, raw=any_text, tool_calls=st.lists(
                      st.builds(ToolCall, name=tool_names, arguments=st.dictionaries(
                          st.sampled_from(["path", "pattern", "name", "patch", "title",
                                           "body", "start_line", "max_depth", "x"]),
                          json_values, max_size=3)), max_size=2))


@pytest.fixture(scope="module")
def shared_box(tiny_bank: Any) -> Iterator[LocalSandbox]:
    task = tiny_bank.tasks[0]
    with LocalSandbox(task.repo_source) as box:
        yield box


@given(st.lists(turns, min_size=1, max_size=4))
@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                  HealthCheck.too_slow])
def test_any_model_output_ends_the_episode_cleanly_and_is_stored(
        shared_box: LocalSandbox, tiny_task: Task, played: list[AssistantTurn]) -> None:
    loop = AgentLoop(HostilePolicy(played), shared_box, default_tools(tiny_task),
                     AgentBudget(max_turns=6, wall_time=60))
    trajectory = loop.run(tiny_task.instance_id, NAVIGATION.opening(tiny_task))
    assert trajectory.exit_reason is not None
    json.loads(dump_json(trajectory))
    shared_box.reset()


def test_every_tool_refuses_text_that_is_not_unicode(shared_box: LocalSandbox,
                                                     tiny_task: Task) -> None:
    for tool in default_tools(tiny_task).values():
        properties = tool.spec.parameters.get("properties", {})
        strings = [key for key, schema in properties.items() if schema.get("type") == "string"]
        for key in strings:
            with pytest.raises(ToolError, match="not valid Unicode"):
                tool(shared_box, {key: "caf\udce9 \ud800"})


_SEARCH = ("read_file", "repo_search", "find_symbol", "git_diff", "list_directory")


@given(st.binary(max_size=2048), st.sampled_from(["notes.txt", "pkg_data.py", "odd name.bin"]))
@settings(max_examples=30, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                  HealthCheck.too_slow])
def test_any_file_contents_are_read_by_every_tool_and_stored(
        shared_box: LocalSandbox, tiny_task: Task, contents: bytes, name: str) -> None:
    """Bytes a case wrote (binary, Latin-1, NULs, no newline) reach the model as text, or as
    a ToolError, from every tool that reads files; the diff of them is storable too."""
    tools = default_tools(tiny_task)
    shared_box.write_file(name, contents)
    try:
        arguments: dict[str, dict[str, Any]] = {
            "read_file": {"path": name}, "repo_search": {"pattern": "a"},
            "find_symbol": {"name": "main"}, "git_diff": {}, "list_directory": {"path": "."}}
        for tool_name in _SEARCH:
            try:
                output = tools[tool_name](shared_box, arguments[tool_name])
            except ToolError as error:
                output = str(error)
            assert isinstance(output, str)
            json.loads(dump_json(Message(role="tool", content=output)))
        json.loads(json.dumps(storable_text(shared_box.diff()), ensure_ascii=False))
    finally:
        shared_box.reset()
