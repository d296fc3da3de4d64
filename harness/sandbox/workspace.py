"""What every sandbox backend shares: the commands' environment, and the git operations on
the workspace (its diff against the base commit, a reset to it) written once against the
``Sandbox`` protocol."""

from __future__ import annotations

import time

from harness.errors import SandboxError, ToolError
from harness.protocols import Sandbox

GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "harness", "GIT_AUTHOR_EMAIL": "harness@localhost",
    "GIT_COMMITTER_NAME": "harness", "GIT_COMMITTER_EMAIL": "harness@localhost",
    "GIT_AUTHOR_DATE": "2000-01-01T00:00:00Z", "GIT_COMMITTER_DATE": "2000-01-01T00:00:00Z",
}
# Every sandbox command's environment, whatever the backend (each adds PATH and HOME).
COMMAND_ENV = {"LANG": "C.UTF-8", "PYTHONHASHSEED": "0", "PYTHONDONTWRITEBYTECODE": "1",
               "PYTHONUNBUFFERED": "1", **GIT_IDENTITY}


def within_deadline(timeout: float, deadline: float | None) -> float:
    """``timeout`` cut to what is left before ``deadline``; ``ToolError`` when nothing is."""
    if deadline is None:
        return timeout
    left = deadline - time.monotonic()
    if left <= 0:
        raise ToolError("the case's wall time is up: no more commands run")
    return min(timeout, left)


def stale_base_error(where: str, found: str, expected: str,
                     advice: str = "the source tree changed since it was built; rebuild the "
                                   "bank") -> SandboxError:
    """The error for a base state that is not the commit the task was made at."""
    return SandboxError(f"the base state of {where} is commit {found}, but the task expects "
                        f"{expected}: {advice}")


# Git attributes of the case (a .gitattributes with an encoding git cannot convert, a
# filter) must not decide how its changes are read: $GIT_DIR/info/attributes comes first.
_NEUTRAL_ATTRIBUTES = "* -text -eol -filter -ident -working-tree-encoding\n"


def workspace_diff(box: Sandbox) -> str:
    """Every change since the base commit, new files included, as a binary-safe git patch.

    It stages into a scratch index that starts from the base tree, so files tracked
    there stay tracked even where the project's .gitignore matches them (a generated
    version.py, egg-info), and the real index is left alone. The workspace is the case's:
    if git cannot read it (the case broke its .git, or the diff is larger than the
    harness reads) that is a ``ToolError``, the model's doing, not the machine's.
    """
    index, base = ".git/harness-diff-index", box.base_commit
    script = (f"mkdir -p .git/info && printf %s \"$1\" > .git/info/attributes && "
              f"GIT_INDEX_FILE={index} git read-tree {base} && "
              f"GIT_INDEX_FILE={index} git add -A && "
              f"GIT_INDEX_FILE={index} git -c core.hooksPath=/dev/null diff --cached --binary "
              f"--no-ext-diff --no-textconv --output={box.scratch_dir}/workspace.diff {base}; "
              f"status=$?; rm -f {index}; exit $status")
    result = box.exec(["sh", "-c", script, "sh", _NEUTRAL_ATTRIBUTES], timeout=120)
    if not result.ok:
        raise ToolError(f"the workspace cannot be read as a patch (git failed: "
                        f"{result.combined().strip()[-300:]})")
    return box.take_scratch("workspace.diff").decode("utf-8", errors="surrogateescape")


def reset_to_base(box: Sandbox) -> None:
    """Back to the base state: tracked files restored, untracked files removed."""
    for args in (["reset", "-q", "--hard", box.base_commit], ["clean", "-qfdx"]):
        result = box.exec(["git", *args], timeout=120)
        if not result.ok:
            raise SandboxError(f"git {args[0]} failed: {result.combined()[-800:]}")
