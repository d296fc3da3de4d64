"""What of a candidate the grader lets run, and what it looks at twice.

Nothing the candidate wrote may configure or extend the test runner. After the
candidate patch is applied in the grading sandbox, every changed path that could
(``runner_controlled``) is put back to its base state and the drop is recorded:

- ``conftest.py`` at any depth, and every file pytest reads its configuration from
  (``pytest.ini``, ``.pytest.ini``, ``pytest.toml``, ``.pytest.toml``, and
  ``pyproject.toml``, ``setup.cfg`` and ``tox.ini`` when their pytest sections change);
- ``.pth`` files, ``sitecustomize``/``usercustomize``, and new modules or packages named
  like the test runner or its dependencies (``pytest.py``, ``_pytest/``, ``pluggy``...);
- ``.gitattributes``, which changes how git applies the hidden tests.

``screen`` reads the lines the candidate adds for code that reaches into the test
runner: runner internals (report objects, hooks, the JUnit writer, the runner's main
module), ``os._exit`` and file-descriptor surgery (what forging the grader's channel or
exit status takes) are tampering; ``atexit`` handlers, signals, ``sys.modules`` and the
like are recorded as flags.
"""

from __future__ import annotations

import configparser
import re
import tomllib
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import PurePosixPath

from harness.grading.patches import file_diffs

CONFIG_FILES = frozenset({"conftest.py", "pytest.ini", ".pytest.ini", "pytest.toml",
                          ".pytest.toml", ".gitattributes"})
SECTIONED_CONFIG = frozenset({"pyproject.toml", "setup.cfg", "tox.ini"})
RUNNER_MODULES = frozenset({
    "pytest", "_pytest", "pluggy", "py", "iniconfig", "packaging", "exceptiongroup", "tomli",
    "coverage", "xdist", "execnet", "pygments", "colorama", "typing_extensions",
    "sitecustomize", "usercustomize"})

_TAMPERING = {
    "the test runner's internals (_pytest)": r"\b_pytest\b",
    "pytest's report objects": r"\b(?:TestReport|CollectReport|CallInfo|ExceptionInfo)\b",
    "pytest hooks": r"\bpytest_(?:runtest|collect|sessionstart|sessionfinish|configure|"
                    r"terminal_summary|report|make_collect_report|pyfunc_call|plugin)",
    "pytest's plugin manager": r"\bpluginmanager\b|\bPytestPluginManager\b",
    "the JUnit report": r"\bjunitxml\b|--junit|junit_family",
    "the harness's own variables": r"\bHARNESS_\w+",
    "the test runner's main module": r"\bimport __main__\b|\b__main__\.|modules\[.__main__.\]",
    "an exit that skips pytest's own (os._exit)": r"\._exit\b",
    "file descriptor surgery": r"\.(?:dup2?|closerange)\(|/proc/self/fd",
}
_FLAGS = {
    "an atexit handler": r"\batexit\b",
    "a process signal": r"\bsignal\.(?:signal|alarm|setitimer)\b|\.kill\(",
    "the module table (sys.modules)": r"\bsys\.modules\b",
    "builtins patching": r"\bbuiltins\b",
    "frame or trace hooks": r"\bsys\.(?:_getframe|settrace|setprofile)\b|\bgc\.get_(?:objects|"
                            r"referrers)\b",
    "the test process's files (/proc)": r"/proc/",
}
_TAMPERING_PATTERNS = {name: re.compile(rx) for name, rx in _TAMPERING.items()}
_FLAG_PATTERNS = {name: re.compile(rx) for name, rx in _FLAGS.items()}


MODULE_SUFFIXES = frozenset({".py", ".pyc", ".pyw", ".so", ".pyd"})


def runner_controlled(path: str, at_base: bool,
                      packages: Collection[str] = frozenset()) -> bool:
    """Whether a changed ``path`` is put back whatever it holds (``SECTIONED_CONFIG`` files
    are decided by ``pytest_config`` instead).

    A new module can shadow the runner only under a top-level name: a module file or a
    regular package (a directory in ``packages``, those holding an ``__init__.py``) whose
    directory is not itself a package, so could be on ``sys.path``. ``calc/coverage.py``
    in the package ``calc`` is ``calc.coverage`` and is kept; an existing module of a
    runner's name is the project's own code."""
    pure = PurePosixPath(path)
    if pure.name in CONFIG_FILES or pure.suffix == ".pth":
        return True
    if at_base:
        return False
    parts = pure.parts
    for depth, part in enumerate(parts):
        directory = "/".join(parts[:depth])
        if depth and directory in packages:
            return False  # everything below is a submodule of a package
        last = depth == len(parts) - 1
        if last and pure.suffix in MODULE_SUFFIXES and pure.stem in RUNNER_MODULES:
            return True
        if not last and part in RUNNER_MODULES and "/".join(parts[:depth + 1]) in packages:
            return True
    return False


def pytest_config(name: str, text: str) -> str:
    """The pytest sections of a ``pyproject.toml``, ``setup.cfg`` or ``tox.ini``, as one
    comparable text; ``ValueError`` when the file does not parse."""
    if name == "pyproject.toml":
        try:
            tool = tomllib.loads(text).get("tool", {})
        except tomllib.TOMLDecodeError as exc:
            raise ValueError(str(exc)) from exc
        return repr(tool.get("pytest", None)) if isinstance(tool, dict) else repr(tool)
    parser = configparser.RawConfigParser(strict=False, interpolation=None)
    try:
        parser.read_string(text)
    except configparser.Error as exc:
        raise ValueError(str(exc)) from exc
    sections = ("tool:pytest", "pytest") if name == "setup.cfg" else ("pytest",)
    return repr([dict(parser.items(section)) for section in sections
                 if parser.has_section(section)])


@dataclass(frozen=True)
class Screen:
    """What the static screen found in the lines a candidate adds."""

    tampering: tuple[str, ...]
    flags: tuple[str, ...]


def screen(patch: str, skipped: frozenset[str] = frozenset()) -> Screen:
    """Read every added line of ``patch`` outside the files in ``skipped`` (those the grader
    put back) for runner internals (tampering) and suspicious calls (flags)."""
    tampering: list[str] = []
    flags: list[str] = []
    for diff in file_diffs(patch):
        if diff.path in skipped:
            continue
        for number, line in diff.added_lines():
            for name, pattern in _TAMPERING_PATTERNS.items():
                if pattern.search(line):
                    tampering.append(f"{diff.path}:{number} reaches {name}")
            for name, pattern in _FLAG_PATTERNS.items():
                if pattern.search(line):
                    flags.append(f"{diff.path}:{number} uses {name}")
    return Screen(tuple(dict.fromkeys(tampering)), tuple(dict.fromkeys(flags)))
