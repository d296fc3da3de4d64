"""Tools for finding one's way in a repository: list, tree, search, symbols, read."""

from __future__ import annotations

from importlib import resources

from harness.errors import ToolError
from harness.protocols import Sandbox
from harness.tools._base import FunctionTool, spec

TREE_ENTRY_LIMIT = 400
READ_LINE_LIMIT = 400
SEARCH_RESULT_LIMIT = 100
SEARCH_LINE_WIDTH = 300
_TIMEOUT = 60.0


def list_directory(sandbox: Sandbox, path: str = ".") -> str:
    entries = sandbox.list(path)
    if not entries:
        return f"{path}: empty directory"
    return "\n".join(f"{e.name}/" if e.is_dir else f"{e.name}  ({e.size} bytes)" for e in entries)


def repo_tree(sandbox: Sandbox, path: str = ".", max_depth: int = 3) -> str:
    lines: list[str] = []

    def walk(directory: str, depth: int) -> None:
        for entry in sandbox.list(directory):
            if len(lines) >= TREE_ENTRY_LIMIT or entry.name in ("__pycache__", ".pytest_cache"):
                continue
            lines.append("  " * depth + (f"{entry.name}/" if entry.is_dir else entry.name))
            if entry.is_dir and depth + 1 < max_depth:
                walk(f"{directory}/{entry.name}", depth + 1)

    walk(path, 0)
    if len(lines) >= TREE_ENTRY_LIMIT:
        lines.append(f"[tree cut at {TREE_ENTRY_LIMIT} entries; list a subdirectory to see more]")
    return "\n".join(lines) or f"{path}: empty directory"


def repo_search(sandbox: Sandbox, pattern: str, path: str = ".", regex: bool = False,
                glob: str = "") -> str:
    if not pattern:
        raise ToolError("repo_search: pattern must not be empty")
    sandbox.list(path)  # refuses paths outside the repository
    command = ["grep", "-rnI", "--exclude-dir=.git", "--exclude-dir=__pycache__",
               "-E" if regex else "-F"]
    if glob:
        command.append(f"--include={glob}")
    result = sandbox.exec([*command, "-e", pattern, "--", path], timeout=_TIMEOUT)
    if result.exit_code == 1:
        return f"no matches for {pattern!r} in {path}"
    if not result.ok:
        raise ToolError(f"repo_search failed: {result.stderr.strip()[:500]}")
    hits = result.stdout.splitlines()
    shown = [line[:SEARCH_LINE_WIDTH] for line in hits[:SEARCH_RESULT_LIMIT]]
    if len(hits) > SEARCH_RESULT_LIMIT or result.truncated:
        shown.append("[more matches omitted; narrow the search with path or glob]")
    return "\n".join(shown)


def find_symbol(sandbox: Sandbox, name: str, path: str = ".") -> str:
    if not name.replace(".", "").replace("_", "").isalnum():
        raise ToolError(f"find_symbol: {name!r} is not a Python name or dotted name")
    sandbox.list(path)
    script = (resources.files("harness.tools") / "scripts" / "find_symbol.py").read_bytes()
    result = sandbox.exec(["python3", "-", name, path], timeout=_TIMEOUT, stdin=script)
    if not result.ok:
        raise ToolError(f"find_symbol failed: {result.combined().strip()[-500:]}")
    return result.stdout.strip()


def read_file(sandbox: Sandbox, path: str, start_line: int = 1, end_line: int = 0) -> str:
    text = sandbox.read_file(path).decode("utf-8", "replace")
    lines = text.splitlines()
    if start_line < 1 or (end_line and end_line < start_line):
        raise ToolError(f"read_file: bad line range {start_line}-{end_line}; lines start at 1")
    last = min(end_line or len(lines), len(lines), start_line + READ_LINE_LIMIT - 1)
    if start_line > max(len(lines), 1):
        raise ToolError(f"read_file: {path} has only {len(lines)} lines")
    body = "\n".join(f"{n:>5}  {lines[n - 1]}" for n in range(start_line, last + 1))
    footer = ""
    if last < (end_line or len(lines)):
        footer = f"\n[showing lines {start_line}-{last} of {len(lines)}; ask for a later range]"
    return body + footer


_PATH = {"type": "string", "description": "path relative to the repository root"}
TOOLS = (
    FunctionTool(spec("list_directory", "List the entries of a directory of the repository.",
                      {"path": _PATH}), list_directory),
    FunctionTool(spec("repo_tree", "Show the repository's directory tree to a given depth.",
                      {"path": _PATH, "max_depth": {"type": "integer",
                                                     "description": "levels to show (default 3)"}}),
                 repo_tree),
    FunctionTool(spec("repo_search", "Search file contents like grep -rn (path:line:text).",
                      {"pattern": {"type": "string", "description": "text or regex to find"},
                       "path": _PATH,
                       "regex": {"type": "boolean", "description": "treat pattern as a regex"},
                       "glob": {"type": "string", "description": "only files matching, e.g. *.py"}},
                      ("pattern",)), repo_search),
    FunctionTool(spec("find_symbol", "Find where a Python class, function, method or module"
                      " variable is defined (AST-aware); takes Name, Class.method or dotted.path.",
                      {"name": {"type": "string", "description": "symbol to find"},
                       "path": _PATH}, ("name",)), find_symbol),
    FunctionTool(spec("read_file", "Read a file with line numbers, optionally a line range.",
                      {"path": _PATH,
                       "start_line": {"type": "integer", "description": "first line (1-based)"},
                       "end_line": {"type": "integer", "description": "last line (inclusive)"}},
                      ("path",)), read_file),
)
