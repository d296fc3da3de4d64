"""Each project's own Python environment, built from its spec and cached by the spec's hash.

An ``EnvSpec`` lists the Python packages a project's tests need (pytest and coverage,
which the grader and the tools use, plus the task's ``python_packages``) and its
setup commands. The docker sandbox builds it into an environment image
(``harness.sandbox.images``); the local sandbox into a virtual environment under
the harness cache (``ensure_local_env``), made from the harness's interpreter but
holding none of the harness's packages. Cases see only that environment: neither the
harness's site-packages nor the system's (bubblewrap hides them).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from harness.errors import SandboxError
from harness.sources import cache_root
from harness.task import Task

DEFAULT_PACKAGES = ("pytest", "coverage")
LOCAL_RECIPE = "1"  # bump when ensure_local_env changes, so older environments are not reused


@dataclass(frozen=True)
class EnvSpec:
    """What a project's environment holds: Python packages, then setup commands."""

    python_packages: tuple[str, ...] = DEFAULT_PACKAGES
    setup_commands: tuple[str, ...] = field(default=())

    def key(self, *salt: str) -> str:
        """Changes whenever the spec or the salt (recipe, interpreter, base image) does."""
        text = json.dumps([*salt, sorted(self.python_packages), list(self.setup_commands)])
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def env_spec(task: Task) -> EnvSpec:
    """A task's environment: pytest and coverage, its ``python_packages``, its setup commands."""
    packages = tuple(dict.fromkeys([*DEFAULT_PACKAGES, *task.python_packages]))
    return EnvSpec(python_packages=packages, setup_commands=tuple(task.setup_commands))


def download_packages(packages: Sequence[str], directory: Path, *extra: str) -> None:
    """Fetch ``packages`` (and what they need) into ``directory`` with the host's pip."""
    argv = [sys.executable, "-m", "pip", "download", "--quiet", "--dest", str(directory),
            *extra, *packages]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=1800)
    if done.returncode != 0:
        raise SandboxError(f"pip download {' '.join(packages)} failed: {done.stderr[-800:]}")


def ensure_local_env(spec: EnvSpec) -> Path:
    """The virtual environment of ``spec`` on this machine, built once (race-free across
    processes) under ``$HARNESS_CACHE/envs``; returns its directory."""
    root = cache_root() / "envs"
    target = root / spec.key(LOCAL_RECIPE, sys.version, sys.base_prefix)
    if (target / ".ready").is_file():
        return target
    root.mkdir(parents=True, exist_ok=True)
    with _locked(root / f"{target.name}.lock"):
        if not (target / ".ready").is_file():
            shutil.rmtree(target, ignore_errors=True)
            _build(spec, target)
    return target


def _build(spec: EnvSpec, target: Path) -> None:
    """venv, packages from a wheel directory, setup commands; ``.ready`` written last (the
    venv is built in place: its scripts name their own path)."""
    _run([sys.executable, "-m", "venv", str(target)], "create the environment")
    wheels = cache_root() / "wheels"
    wheels.mkdir(parents=True, exist_ok=True)
    download_packages(spec.python_packages, wheels)
    _run([str(target / "bin" / "python"), "-m", "pip", "install", "--quiet",
          "--disable-pip-version-check", "--no-index", "--find-links", str(wheels),
          *spec.python_packages], f"install {' '.join(spec.python_packages)}")
    path = f"{target / 'bin'}:/usr/local/bin:/usr/bin:/bin"
    for command in spec.setup_commands:
        _run(["sh", "-c", command], f"run the setup command {command!r}",
             env={"PATH": path, "HOME": str(target), "VIRTUAL_ENV": str(target)})
    (target / ".ready").write_text(json.dumps({"packages": list(spec.python_packages),
                                               "setup_commands": list(spec.setup_commands)}))


def _run(argv: list[str], what: str, env: dict[str, str] | None = None) -> None:
    done = subprocess.run(argv, capture_output=True, text=True, timeout=1800,
                          env=env if env is not None else dict(os.environ))
    if done.returncode != 0:
        raise SandboxError(f"could not {what} for a project environment: "
                           f"{(done.stderr or done.stdout)[-800:]}")


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
