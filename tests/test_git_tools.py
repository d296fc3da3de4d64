"""The git tools against a real workspace: status, diff, log, blame, commit, branch, PR."""

from __future__ import annotations

import json

import pytest

from harness.errors import ToolError
from harness.protocols import Tool
from harness.sandbox.local import LocalSandbox
from harness.task import Task

ARITH = "calc/ops/arith.py"


def _edit(box: LocalSandbox) -> None:
    text = box.read_file(ARITH).replace(b"return a + b\n\n\ndef clamp", b"return a - b\n\n\n"
                                        b"def clamp")
    box.write_file(ARITH, text)


def test_status_and_diff(box: LocalSandbox, tools: dict[str, Tool]) -> None:
    assert "working tree clean" in tools["git_status"](box, {})
    assert "no unstaged changes" in tools["git_diff"](box, {})
    _edit(box)
    box.write_file("notes.txt", b"hi\n")
    status = tools["git_status"](box, {})
    assert f" M {ARITH}" in status and "?? notes.txt" in status and "## main" in status
    diff = tools["git_diff"](box, {"path": ARITH})
    assert "-    return a + b" in diff and "+    return a - b" in diff
    assert "no unstaged changes in calc/text" in tools["git_diff"](box, {"path": "calc/text"})
    assert "no staged changes" in tools["git_diff"](box, {"staged": True})
    box.exec(["git", "add", ARITH], timeout=30)
    assert "+    return a - b" in tools["git_diff"](box, {"staged": True})
    for bad in ("--output=/tmp/x", "/etc/passwd", "../other", ".git/config"):
        with pytest.raises(ToolError, match=r"not a path|relative to the repository"):
            tools["git_diff"](box, {"path": bad})


def test_commit_then_log_and_blame(box: LocalSandbox, tools: dict[str, Tool]) -> None:
    with pytest.raises(ToolError, match="nothing to commit"):
        tools["git_commit"](box, {"message": "empty"})
    with pytest.raises(ToolError, match="must not be empty"):
        tools["git_commit"](box, {"message": "  "})
    _edit(box)
    box.write_file("calc/new.py", b"X = 1\n")
    committed = tools["git_commit"](box, {"message": "Fix sub"})
    assert "Fix sub" in committed and ARITH in committed and "calc/new.py" in committed
    assert "working tree clean" in tools["git_status"](box, {})
    log = tools["git_log"](box, {})
    assert log.index("Fix sub") < log.index("base")
    one = tools["git_log"](box, {"max_count": 1})
    assert "Fix sub" in one and "base" not in one
    assert "base" in tools["git_log"](box, {"path": "calc/text/fmt.py"})
    assert "Fix sub" not in tools["git_log"](box, {"path": "calc/text/fmt.py"})
    with pytest.raises(ToolError, match="max_count"):
        tools["git_log"](box, {"max_count": 0})
    with pytest.raises(ToolError):
        tools["git_log"](box, {"path": "-p"})
    blame = tools["git_blame"](box, {"path": ARITH, "start_line": 8, "end_line": 9})
    lines = blame.splitlines()
    assert len(lines) == 2 and "def sub" in lines[0] and "return a - b" in lines[1]
    assert lines[0].split()[0] != lines[1].split()[0]  # base commit vs the fix
    for bad in ({"path": "missing.py"}, {"path": "../x.py"},
                {"path": ARITH, "start_line": 0}, {"path": ARITH, "start_line": 500}):
        with pytest.raises(ToolError):
            tools["git_blame"](box, bad)


def test_branch_list_create_and_refuse(box: LocalSandbox, tools: dict[str, Tool]) -> None:
    assert tools["git_branch"](box, {}) == "* main"
    assert "fix/sub" in tools["git_branch"](box, {"name": "fix/sub"})
    assert tools["git_branch"](box, {}).splitlines() == ["* fix/sub", "  main"]
    for bad in ("bad..name", "-D", "a b", "x.lock"):
        with pytest.raises(ToolError, match="not a valid branch name"):
            tools["git_branch"](box, {"name": bad})
    with pytest.raises(ToolError, match="already exists"):
        tools["git_branch"](box, {"name": "main"})


def test_create_pr_writes_the_artefact(box: LocalSandbox, tools: dict[str, Tool],
                                       tiny_task: Task) -> None:
    with pytest.raises(ToolError, match="no changes"):
        tools["create_pr"](box, {"title": "Nothing", "body": ""})
    assert box.read_scratch("pr.json") is None
    tools["git_branch"](box, {"name": "fix-sub"})
    _edit(box)
    tools["git_commit"](box, {"message": "Fix sub"})
    box.write_file("NOTES.md", b"uncommitted\n")
    confirmation = tools["create_pr"](box, {"title": "Fix sub", "body": "sub added"})
    assert "fix-sub" in confirmation and "2 file(s)" in confirmation
    raw = box.read_scratch("pr.json")
    assert raw is not None
    pr = json.loads(raw)
    assert pr["title"] == "Fix sub" and pr["body"] == "sub added" and pr["branch"] == "fix-sub"
    assert pr["base_commit"] == tiny_task.base_commit == box.base_commit
    assert pr["diff"] == box.diff() and "+    return a - b" in pr["diff"]
    assert pr["files"] == ["NOTES.md", ARITH]
    # Another branch is proposed by its commits only.
    box.exec(["git", "switch", "-q", "main"], timeout=30)
    tools["create_pr"](box, {"title": "From branch", "body": "", "branch": "fix-sub"})
    pr = json.loads(box.read_scratch("pr.json") or b"{}")
    assert pr["branch"] == "fix-sub" and pr["files"] == [ARITH]
    for bad, match in (({"title": " ", "body": ""}, "title"),
                       ({"title": "t", "body": "", "branch": "nope"}, "no branch named"),
                       ({"title": "t", "body": "", "branch": "-x"}, "not a valid branch")):
        with pytest.raises(ToolError, match=match):
            tools["create_pr"](box, bad)
