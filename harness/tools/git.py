"""Version-control tools: status, diff, log, blame, commit, branch, and a pull-request artefact."""

from __future__ import annotations

import json
import shlex
from pathlib import PurePosixPath

from harness.errors import SandboxError, ToolError
from harness.process import ExecResult
from harness.protocols import Sandbox
from harness.tools._base import FunctionTool, spec

GIT_TIMEOUT = 60.0
MAX_LOG_COUNT = 200
PR_FILE = "pr.json"


def run_git(sandbox: Sandbox, args: list[str], *, stdin: bytes | None = None) -> ExecResult:
    """Run ``git`` in the repository with no pager."""
    return sandbox.exec(["git", "-c", "core.pager=cat", *args], timeout=GIT_TIMEOUT, stdin=stdin)


def _git_ok(sandbox: Sandbox, tool: str, args: list[str]) -> str:
    result = run_git(sandbox, args)
    if not result.ok:
        raise ToolError(f"{tool}: git {args[0]} failed: {result.combined().strip()[-2000:]}")
    return result.stdout


def check_repo_path(tool: str, path: str) -> str:
    """Refuse paths that are options, absolute, leave the repository or reach into .git."""
    if not path or path.startswith("-"):
        raise ToolError(f"{tool}: {path!r} is not a path in the repository")
    pure = PurePosixPath(path)
    if pure.is_absolute() or ".." in pure.parts or ".git" in pure.parts:
        raise ToolError(f"{tool}: {path}: paths are relative to the repository root and stay "
                        "inside it (no absolute paths, '..' or .git)")
    return path


def _check_branch_name(sandbox: Sandbox, tool: str, name: str) -> None:
    if not name or name.startswith("-"):
        raise ToolError(f"{tool}: {name!r} is not a valid branch name")
    if not run_git(sandbox, ["check-ref-format", "--branch", name]).ok:
        raise ToolError(f"{tool}: {name!r} is not a valid branch name "
                        "(see git check-ref-format --branch)")


def git_status(sandbox: Sandbox) -> str:
    out = _git_ok(sandbox, "git_status",
                  ["status", "--short", "--branch", "--untracked-files=all"])
    lines = out.rstrip("\n").splitlines()
    if len(lines) <= 1:
        return f"{out.strip()}\nworking tree clean"
    return out.rstrip("\n")


def git_diff(sandbox: Sandbox, path: str = "", staged: bool = False) -> str:
    args = ["diff", *(["--cached"] if staged else []), "--"]
    if path:
        args.append(check_repo_path("git_diff", path))
    out = _git_ok(sandbox, "git_diff", args)
    if not out.strip():
        kind = "staged" if staged else "unstaged"
        return (f"no {kind} changes{f' in {path}' if path else ''}"
                + ("" if staged else " (new untracked files are listed by git_status)"))
    return out


def git_log(sandbox: Sandbox, max_count: int = 20, path: str = "") -> str:
    if not 1 <= max_count <= MAX_LOG_COUNT:
        raise ToolError(f"git_log: max_count must be between 1 and {MAX_LOG_COUNT}")
    args = ["log", f"--max-count={max_count}", "--date=short",
            "--format=%h %ad %an%d%n    %s", "--"]
    if path:
        args.append(check_repo_path("git_log", path))
    out = _git_ok(sandbox, "git_log", args)
    return out.rstrip("\n") or f"no commits{f' touch {path}' if path else ''}"


def git_blame(sandbox: Sandbox, path: str, start_line: int = 1, end_line: int = 0) -> str:
    check_repo_path("git_blame", path)
    sandbox.read_file(path)  # a ToolError when it is missing or outside the repository
    if start_line < 1 or (end_line and end_line < start_line):
        raise ToolError(f"git_blame: bad line range {start_line}-{end_line}; lines start at 1")
    line_range = f"{start_line},{end_line}" if end_line else f"{start_line},"
    return _git_ok(sandbox, "git_blame",
                   ["blame", "--date=short", "-L", line_range, "--", path]).rstrip("\n")


def git_commit(sandbox: Sandbox, message: str) -> str:
    if not message.strip():
        raise ToolError("git_commit: the commit message must not be empty")
    _git_ok(sandbox, "git_commit", ["add", "-A"])
    if run_git(sandbox, ["diff", "--cached", "--quiet"]).ok:
        raise ToolError("git_commit: nothing to commit; the working tree has no changes "
                        "since the last commit (refusing an empty commit)")
    _git_ok(sandbox, "git_commit", ["commit", "-q", "--no-verify", "-m", message])
    return _git_ok(sandbox, "git_commit",
                   ["show", "--stat", "--format=committed %h on %D%n    %s", "HEAD"]).rstrip("\n")


def git_branch(sandbox: Sandbox, name: str = "") -> str:
    if not name:
        return _git_ok(sandbox, "git_branch", ["branch", "--list"]).rstrip("\n")
    _check_branch_name(sandbox, "git_branch", name)
    _git_ok(sandbox, "git_branch", ["switch", "-q", "-c", name])
    return f"created branch {name} and switched to it"


def create_pr(sandbox: Sandbox, title: str, body: str, branch: str = "") -> str:
    if not title.strip():
        raise ToolError("create_pr: the title must not be empty")
    base = sandbox.base_commit
    current = _git_ok(sandbox, "create_pr", ["branch", "--show-current"]).strip()
    if branch and branch != current:
        _check_branch_name(sandbox, "create_pr", branch)
        if not run_git(sandbox, ["rev-parse", "-q", "--verify", f"refs/heads/{branch}"]).ok:
            raise ToolError(f"create_pr: no branch named {branch!r}; create it with git_branch")
        result = run_git(sandbox, ["diff", "--binary", base, f"refs/heads/{branch}", "--"])
        if not result.ok:
            raise ToolError(f"create_pr: git diff failed: {result.combined().strip()[-2000:]}")
        if result.truncated:
            raise ToolError("create_pr: the change is too large for a pull request artefact")
        diff = result.stdout
    else:
        branch = branch or current or "HEAD"
        try:
            diff = sandbox.diff()  # working tree against the base, uncommitted changes included
        except SandboxError as exc:
            raise ToolError(f"create_pr: could not compute the diff: {exc}") from exc
    if not diff.strip():
        raise ToolError(f"create_pr: {branch} has no changes against the base commit "
                        f"{base[:12]}; there is nothing to propose")
    files = [line.split(" b/", 1)[-1] for line in diff.splitlines()
             if line.startswith("diff --git ")]
    artefact = {"title": title, "body": body, "branch": branch, "base_commit": base,
                "files": files, "diff": diff}
    target = f"{sandbox.scratch_dir.rstrip('/')}/{PR_FILE}"
    written = sandbox.exec(["sh", "-c", 'cat > "$1"', "sh", target], timeout=GIT_TIMEOUT,
                           stdin=json.dumps(artefact, indent=2).encode())
    if not written.ok:
        raise ToolError(f"create_pr: could not write {shlex.quote(target)}: "
                        f"{written.combined().strip()[-500:]}")
    return (f"pull request {title!r} created from {branch} against base {base[:12]}: "
            f"{len(files)} file(s) changed ({', '.join(files)})")


_PATH = {"type": "string", "description": "path relative to the repository root"}
TOOLS = (
    FunctionTool(spec("git_status", "Show the branch and changed/untracked files (git status).",
                      {}), git_status),
    FunctionTool(spec("git_diff", "Show uncommitted changes as a diff, or the staged ones.",
                      {"path": _PATH,
                       "staged": {"type": "boolean", "description": "diff the index instead"}}),
                 git_diff),
    FunctionTool(spec("git_log", "Show recent commits, optionally only those touching a path.",
                      {"max_count": {"type": "integer", "description": "commits (default 20)"},
                       "path": _PATH}), git_log),
    FunctionTool(spec("git_blame", "Show which commit last changed each line of a file.",
                      {"path": _PATH,
                       "start_line": {"type": "integer", "description": "first line (1-based)"},
                       "end_line": {"type": "integer", "description": "last line (inclusive)"}},
                      ("path",)), git_blame),
    FunctionTool(spec("git_commit", "Stage every change (git add -A) and commit it.",
                      {"message": {"type": "string", "description": "the commit message"}},
                      ("message",)), git_commit),
    FunctionTool(spec("git_branch", "List branches, or create a branch and switch to it.",
                      {"name": {"type": "string", "description": "new branch to create"}}),
                 git_branch),
    FunctionTool(spec("create_pr", "Open a pull request: record title, body and the diff of "
                      "the work against the base commit.",
                      {"title": {"type": "string", "description": "one-line summary"},
                       "body": {"type": "string", "description": "what changed and why"},
                       "branch": {"type": "string",
                                  "description": "branch to propose (default: current)"}},
                      ("title", "body")), create_pr),
)
