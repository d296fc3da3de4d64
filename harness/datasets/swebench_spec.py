"""How SWE-bench evaluates one row in Docker: image, eval script, log parser, workdir.

The image is the official instance image: SWE-bench's ``instance_image_key`` is
``sweb.eval.<arch>.<instance_id lower-cased>:<tag>``; for a remote image the namespace is
prefixed and every ``__`` becomes ``_1776_``, e.g.
``swebench/sweb.eval.x86_64.django_1776_django-11099:latest``.

The eval script is the row's ``eval_script`` (SWE-bench 5.x rows carry it). Otherwise it is
generated the way SWE-bench generates it: reset the test patch's files (``git checkout`` of
the base commit, new files too, as the official scripts do), apply ``test_patch`` through a
heredoc, run the repository's test command on the files the test patch touches between the
``>>>>> Start/End Test Output`` markers, and reset the test files again. The generated script
leaves out SWE-bench's per-version preamble (locale exports, reinstalling the package), so
prefer rows that carry ``eval_script``. ``REPO_COMMANDS`` covers the 12 repositories of
SWE-bench Verified and is checked against the scripts in the Verified file.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from harness.errors import ConfigError
from harness.task import Task

WORKDIR = "/testbed"
START_TEST_OUTPUT = ">>>>> Start Test Output"
END_TEST_OUTPUT = ">>>>> End Test Output"
HEREDOC = "EOF_114329324912"
# Files of these types in a test patch are data, not tests to run (SWE-bench's NON_TEST_EXTS).
NON_TEST_SUFFIXES = (".json", ".png", "csv", ".txt", ".md", ".jpg", ".jpeg", ".pkl", ".yml",
                     ".yaml", ".toml")


@dataclass(frozen=True)
class RepoCommand:
    """A repository's test command (``by_version`` overrides it) and its log parser name."""

    test_cmd: str
    log_parser: str
    by_version: Mapping[str, str] = field(default_factory=dict)

    def for_version(self, version: str) -> str:
        return self.by_version.get(version, self.test_cmd)


_PYTEST = "pytest -rA"
REPO_COMMANDS: Mapping[str, RepoCommand] = {
    "astropy/astropy": RepoCommand(_PYTEST, "parse_log_astropy", {
        "1.3": "pytest -rA -vv -o console_output_style=classic --tb=no"}),
    "django/django": RepoCommand(
        "./tests/runtests.py --verbosity 2 --settings=test_sqlite --parallel 1",
        "parse_log_django"),
    "matplotlib/matplotlib": RepoCommand(_PYTEST, "parse_log_matplotlib"),
    "mwaskom/seaborn": RepoCommand("pytest --no-header -rA", "parse_log_seaborn"),
    "pallets/flask": RepoCommand(_PYTEST, "parse_log_flask"),
    "psf/requests": RepoCommand(_PYTEST, "parse_log_requests"),
    "pydata/xarray": RepoCommand(_PYTEST, "parse_log_xarray"),
    "pylint-dev/pylint": RepoCommand(_PYTEST, "parse_log_pylint"),
    "pytest-dev/pytest": RepoCommand(_PYTEST, "parse_log_pytest"),
    "scikit-learn/scikit-learn": RepoCommand(_PYTEST, "parse_log_scikit"),
    "sphinx-doc/sphinx": RepoCommand("tox --current-env -epy39 -v --", "parse_log_sphinx"),
    "sympy/sympy": RepoCommand(
        "PYTHONWARNINGS='ignore::UserWarning,ignore::SyntaxWarning' bin/test -C --verbose",
        "parse_log_sympy"),
}


@dataclass(frozen=True)
class EvalSpec:
    """What a Docker evaluation of one row needs."""

    instance_id: str
    image: str
    eval_script: str
    log_parser: str
    workdir: str = WORKDIR


def instance_image_name(instance_id: str, *, namespace: str = "swebench",
                        arch: str = "x86_64", tag: str = "latest") -> str:
    """The official remote instance image of a row."""
    key = f"sweb.eval.{arch}.{instance_id.lower()}:{tag}"
    return f"{namespace}/{key}".replace("__", "_1776_")


def directives(repo: str, test_patch: str) -> list[str]:
    """What the test command runs: the test patch's files, as Django test modules for Django."""
    paths = re.findall(r"diff --git a/.* b/(.*)", test_patch)
    paths = [path for path in paths if not path.endswith(NON_TEST_SUFFIXES)]
    if repo != "django/django":
        return paths
    modules = []
    for path in paths:
        path = path.removesuffix(".py").removeprefix("tests/")
        modules.append(path.replace("/", "."))
    return modules


def run_tests_command(task: Task, commands: Mapping[str, RepoCommand] = REPO_COMMANDS) -> str:
    """The command line that runs the row's tests (``ConfigError`` for an unknown repo)."""
    if task.repo not in commands:
        raise ConfigError(f"{task.instance_id}: no test command known for {task.repo}; "
                          "use a row that carries eval_script, or pass a commands table")
    return " ".join([commands[task.repo].for_version(task.version),
                     *directives(task.repo, task.test_patch)])


def eval_script(task: Task, commands: Mapping[str, RepoCommand] = REPO_COMMANDS) -> str:
    """The row's ``eval_script``, or one generated as SWE-bench does (see the module doc)."""
    if task.eval_script:
        return task.eval_script
    test_files = re.findall(r"^diff --git a/.* b/(.*)$", task.test_patch, re.M)
    reset = [f"git checkout {task.base_commit} {' '.join(test_files)}"] if test_files else []
    delimiter = HEREDOC
    while delimiter in task.test_patch:
        delimiter += "_"
    lines = [
        "#!/bin/bash", "set -uxo pipefail",
        "source /opt/miniconda3/bin/activate", "conda activate testbed",
        f"cd {WORKDIR}", f"git config --global --add safe.directory {WORKDIR}",
        *reset,
        f"git apply -v - <<'{delimiter}'\n{task.test_patch}\n{delimiter}",
        f": '{START_TEST_OUTPUT}'", run_tests_command(task, commands), f": '{END_TEST_OUTPUT}'",
        *reset,
    ]
    return "\n".join(lines) + "\n"


def log_parser_name(task: Task, commands: Mapping[str, RepoCommand] = REPO_COMMANDS) -> str:
    """The row's ``log_parser``, else the repository's, else ``""``."""
    if task.log_parser:
        return task.log_parser
    known = commands.get(task.repo)
    return known.log_parser if known else ""


def make_eval_spec(task: Task, *, namespace: str = "swebench",
                   commands: Mapping[str, RepoCommand] = REPO_COMMANDS) -> EvalSpec:
    """The ``EvalSpec`` of a SWE-bench task; the image is the official instance image
    (``namespace`` chooses the registry account) unless the row names its own."""
    return EvalSpec(
        instance_id=task.instance_id,
        image=task.image or instance_image_name(task.instance_id, namespace=namespace),
        eval_script=eval_script(task, commands),
        log_parser=log_parser_name(task, commands),
    )
