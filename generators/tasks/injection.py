"""Bug-fix cases made by injecting bugs into real projects, validated by their own tests.

The SWE-smith recipe, one project at a time:

1. **Baseline.** Run the project's whole test suite three times on the clean
   tree. Only tests that pass every time are used (flaky, failing and skipped
   tests never become FAIL_TO_PASS or PASS_TO_PASS), and none of a test
   function whose parametrised ids differ between the runs (ids numbered in
   the iteration order of a set, which changes from process to process, name
   a different case each time).
2. **Candidates.** Every single-site mutation of the project's code files
   (``generators.tasks.mutations``), drawn in the bank seed's weighted order
   (realistic slips first, one of each edit per file), taken from each file in
   turn, at most one per function;
   a mutation pyflakes flags is dropped before screening
   (``generators.tasks.difficulty``).
3. **Screen.** Apply a candidate and run the whole suite. FAIL_TO_PASS
   are the stable tests that now fail; a candidate is kept when there is at
   least one, none of the stable tests went missing (an import-breaking bug),
   the run did not time out, no more than ``max_fail_to_pass`` fail, and a
   second run fails exactly the same tests with the same messages. A test that
   fails in the suite but passes on its own (in a fork of its own,
   ``generators.tasks.pytest_alone``) fails because of state other tests left
   behind, and which of those fail changes from run to run: it is not a
   FAIL_TO_PASS. A failure whose message is not the same on its own as in the
   suite (it counts what threads did, say) refuses the candidate: the same candidate
   must always give the same case.
4. **Hide.** The test files holding FAIL_TO_PASS are removed from the base
   state; the hidden ``test_patch`` brings them back. PASS_TO_PASS are the
   stable tests of those files that are not FAIL_TO_PASS.
5. **Describe.** An issue-style statement from the failing tests' messages
   (an assert pytest did not rewrite is shown with its values), naming neither
   the file nor the module of the bug, listing a failing test of each bug of a
   combined case; tagged ``easy``, ``medium`` or ``hard`` (``difficulty``).

Combined cases put two kept bugs in different files together and are screened
again. Everything is a function of the project pin and the seed, so the same
spec and seed give a byte-identical bank.
"""

from __future__ import annotations

import fnmatch
import hashlib
import itertools
import random
import shlex
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Any

from generators.tasks.bank_card import DrawStats
from generators.tasks.difficulty import difficulty, lint_detectable
from generators.tasks.module_names import module_name
from generators.tasks.mutations import Mutation, candidate_mutations, weighted_order
from generators.tasks.recovery_cases import (
    as_kind,
    conflicting_assertion,
    fault_expectation,
    misdirected,
    solvable_request,
    unsolvable_task,
)
from generators.tasks.refactors import MultiSite, dropped_parameters, removed_features
from generators.tasks.statements import (
    explain_assertion,
    listed_tests,
    removal_statement,
    scrub,
    write_statement,
)
from generators.tasks.testing_cases import as_testing_case, variant_for
from harness.capabilities.navigation import NavigationExpectations
from harness.errors import SandboxError
from harness.grading.junit import failure_details, parse_junit
from harness.grading.patches import is_test_path
from harness.grading.test_runs import run_tests_once
from harness.sandbox.environments import DEFAULT_PACKAGES, EnvSpec
from harness.sandbox.local import Isolation, LocalSandbox
from harness.sources import normalise
from harness.task import PypiSource, Task

EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
BASELINE_RUNS = 3
REMOVAL_FACTOR = 5
NOT_COLLECTED = "no longer collected: its test module fails to import"
ALONE_PLUGIN = Path(__file__).with_name("pytest_alone.py")
# Copies the plugin into the screening environment; its digest is in the command, so an
# environment is rebuilt when the plugin changes.
ALONE_INSTALL = ("python -c 'import shutil, sys, sysconfig; "
                 "shutil.copy(sys.argv[1], sysconfig.get_paths()[\"purelib\"])' "
                 f"{shlex.quote(str(ALONE_PLUGIN))}  # sha256 "
                 f"{hashlib.sha256(ALONE_PLUGIN.read_bytes()).hexdigest()[:16]}")
Progress = Callable[[str], None]


@dataclass(frozen=True)
class ProjectPlan:
    """What to make from one project (see ``generators.tasks.bank_spec``)."""

    name: str
    version: str
    sha256: str
    cases: int
    combined: int
    code: tuple[str, ...]
    test_command: str
    python_packages: tuple[str, ...]
    max_fail_to_pass: int
    triples: int = 0
    signatures: int = 0
    removals: int = 0
    singles: bool = True
    tdd: int = 0
    coverage_gaps: int = 0
    misdirected: int = 0
    interacting: int = 0
    faults: int = 0
    unsolvable: int = 0

    def environment(self) -> EnvSpec:
        return EnvSpec(python_packages=(*DEFAULT_PACKAGES, *self.python_packages))

    def screening_environment(self) -> EnvSpec:
        """The case's environment with the plugin that runs a test on its own (``alone``)."""
        return replace(self.environment(), setup_commands=(ALONE_INSTALL,))


@dataclass(frozen=True)
class Screened:
    """A candidate bug that some stable tests catch."""

    mutations: tuple[Mutation, ...]
    fail_to_pass: tuple[str, ...]
    messages: dict[str, str]
    passing: frozenset[str]
    groups: tuple[tuple[str, ...], ...] = ()  # combined: what each bug fails alone
    site: MultiSite | None = None  # a multi-site bug (generators.tasks.refactors)
    tracebacks: Mapping[str, str] = field(default_factory=dict)  # of the failing tests


class Baseline:
    """The clean project's stable tests and how long a suite run takes."""

    def __init__(self, stable: frozenset[str], seconds: float) -> None:
        self.stable = stable
        self.seconds = seconds

    @property
    def timeout(self) -> float:
        return 30.0 + 10.0 * self.seconds


def measure_baseline(sandbox: LocalSandbox, test_command: str) -> Baseline:
    """Run the clean suite ``BASELINE_RUNS`` times; keep the tests that always pass and
    whose ids are stable (see the module docstring)."""
    runs: list[set[str]] = []
    passing: set[str] | None = None
    slowest = 0.0
    log = ""
    for _ in range(BASELINE_RUNS):
        suite = _run_suite(sandbox, test_command, timeout=1800)
        statuses, seconds, log = suite.statuses, suite.seconds, suite.log
        runs.append(set(statuses))
        ok = {t for t, s in statuses.items() if s == "passed" and is_test_path(t.split("::")[0])}
        passing = ok if passing is None else passing & ok
        slowest = max(slowest, seconds)
    unstable = unstable_functions(runs)
    stable = {t for t in passing or () if function_id(t) not in unstable}
    if not stable:
        tail = "\n".join(log.strip().splitlines()[-12:])
        raise SandboxError(
            f"no test passes on the clean tree with {test_command!r}; the last run ended:\n"
            f"{tail}\n(a plugin the project's configuration asks for, such as pytest-cov for "
            "--cov, goes in the spec's python_packages; or set test_command, e.g. with "
            "-o addopts=)")
    return Baseline(frozenset(stable), slowest)


def function_id(test_id: str) -> str:
    """``tests/t.py::test_x[a-1]`` -> ``tests/t.py::test_x``."""
    return test_id.split("[", 1)[0]


def unstable_functions(runs: Sequence[set[str]]) -> set[str]:
    """Test functions whose set of (parametrised) ids is not the same in every run."""
    ids: dict[str, list[set[str]]] = {}
    for index, run in enumerate(runs):
        for test_id in run:
            per_run = ids.setdefault(function_id(test_id), [set() for _ in runs])
            per_run[index].add(test_id)
    return {name for name, per_run in ids.items() if any(r != per_run[0] for r in per_run)}


def screen(sandbox: LocalSandbox, plan: ProjectPlan, baseline: Baseline,
           mutations: Sequence[Mutation], removal: bool = False) -> Screened | None:
    """Run the suite with ``mutations`` applied; the caught bug, or None when unusable.

    A stable test gone missing means the bug broke an import; that is refused, except for
    a ``removal`` (a removed feature), whose tests cannot import what is gone: the tests
    that no longer run count as failing, up to ``REMOVAL_FACTOR`` times the usual cap."""
    sandbox.reset()
    for mutation in mutations:
        sandbox.write_file(mutation.path, mutation.mutated.encode())
    try:
        suite = _run_suite(sandbox, plan.test_command, baseline.timeout)
    except TimeoutError:
        return None
    statuses, messages = suite.statuses, suite.messages
    missing = {test for test in baseline.stable if test not in statuses}
    if missing and not removal:
        return None
    failing = sorted(t for t in baseline.stable
                     if t in missing or statuses[t] in ("failed", "error"))
    cap = plan.max_fail_to_pass * (REMOVAL_FACTOR if removal else 1)
    if not failing or len(failing) > cap:
        return None
    own = alone(sandbox, plan.test_command, [t for t in failing if t not in missing],
                baseline.timeout)
    failing = [t for t in failing if own.statuses.get(t) != "passed"]
    if not failing or any(scrub(own.messages[t], ()) != scrub(messages.get(t, ""), ())
                          for t in failing if t in own.messages):
        return None  # none left, or a failure that reads differently on its own
    passing = frozenset(baseline.stable.difference(failing))
    return Screened(tuple(mutations), tuple(failing),
                    {t: own.messages.get(t) or messages.get(
                        t, NOT_COLLECTED if t in missing else "") for t in failing}, passing,
                    tracebacks={t: own.tracebacks.get(t) or suite.tracebacks.get(t, "")
                                for t in failing})


def alone(sandbox: LocalSandbox, test_command: str, tests: Sequence[str],
          timeout: float) -> SuiteRun:
    """``tests`` each in a fork of its own (``generators.tasks.pytest_alone``), untouched by
    what other tests leave behind; a test pytest cannot select by its id is absent."""
    try:
        return _run_suite(sandbox, test_command, timeout, [*tests],
                          ["-p", "pytest_alone", "--alone"])
    except TimeoutError:
        return SuiteRun({}, {}, {}, timeout, "")


def make_task(sandbox: LocalSandbox, plan: ProjectPlan, found: Screened, capability: str,
              rng: random.Random) -> Task:
    """Turn a screened bug into a case: patches, hidden tests, statement, expectations."""
    sandbox.reset()
    for mutation in found.mutations:
        sandbox.write_file(mutation.path, mutation.mutated.encode())
    base_patch = _git_diff(sandbox, ["--binary"])
    gold = _git_diff(sandbox, ["-R", "--binary", "--src-prefix=b/", "--dst-prefix=a/"])
    hidden = sorted({test.split("::")[0] for test in found.fail_to_pass})
    test_patch = _git_diff(sandbox, ["--binary", EMPTY_TREE, "HEAD", "--", *hidden])
    pass_to_pass = sorted(t for t in found.passing if t.split("::")[0] in hidden)
    files = sorted({m.path for m in found.mutations})
    secrets = [*files, *_submodules(files), *(PurePosixPath(p).name for p in files)]
    digest = hashlib.sha256(base_patch.encode()).hexdigest()[:8]
    source = PypiSource(kind="pypi", name=plan.name, version=plan.version, sha256=plan.sha256,
                        base_patch=base_patch, delete=hidden)
    with LocalSandbox(source, isolation=sandbox.isolation,
                      environment=plan.environment()) as base:
        base_commit = base.base_commit
    listed = listed_tests(found.messages, found.groups)
    if found.site is not None and found.site.kind == "removed_feature":
        statement = removal_statement(plan.name, found.site, found.messages, secrets, rng)
    else:
        statement = write_statement(plan.name, found.messages, secrets, rng, found.groups)
    kind = found.site.kind if found.site is not None else (
        "combined" if len(found.mutations) > 1 else "single")
    return Task(
        instance_id=f"{normalise(plan.name)}-{plan.version}-{digest}", repo=f"pypi/{plan.name}",
        base_commit=base_commit, difficulty=difficulty(
            found.mutations, listed, [found.messages[test] for test in listed]),
        problem_statement=statement,
        patch=gold, test_patch=test_patch, FAIL_TO_PASS=list(found.fail_to_pass),
        PASS_TO_PASS=pass_to_pass, version=plan.version, capability=capability,
        source="generated:bug-injection", repo_source=source, test_command=plan.test_command,
        python_packages=list(plan.python_packages),
        expected=_expected(capability, kind, files, found))


def _expected(capability: str, kind: str, files: list[str], found: Screened) -> dict[str, Any]:
    """What the case's capability expects a solver to find: the files and symbols of the
    fix (and, for planning, the kind of change)."""
    if found.site is not None:
        symbols = [found.site.symbol.split("(", 1)[0] if found.site.kind == "removed_feature"
                   else f"{module_name(found.site.path)}.{found.site.symbol.split('(', 1)[0]}"]
    else:
        symbols = sorted(f"{module_name(m.path)}.{m.symbol}" for m in found.mutations)
    expected = NavigationExpectations(files=files, symbols=symbols).model_dump()
    return {"kind": kind, **expected} if capability == "planning" else expected


def confirmed(sandbox: LocalSandbox, plan: ProjectPlan, baseline: Baseline,
              mutations: Sequence[Mutation],
              accept: Callable[[Screened], bool] = lambda _: True,
              removal: bool = False) -> Screened | None:
    """``screen`` twice: a bug is kept only when both runs fail the same tests with the
    same messages, as a statement shows them (a test that is flaky under the bug, whose
    parameters move between ids, or whose message counts what threads did, is caught
    here). ``accept`` rejects a first screen before the second run is spent on it."""
    first = screen(sandbox, plan, baseline, mutations, removal)
    if first is None or not accept(first):
        return None
    second = screen(sandbox, plan, baseline, mutations, removal)
    if second is None or _seen(second) != _seen(first):
        return None
    return first


def _seen(found: Screened) -> tuple[object, ...]:
    """What of a screen a case is made of: its tests, and the messages as shown."""
    return (found.fail_to_pass, found.passing,
            {test: scrub(message, ()) for test, message in found.messages.items()})


@dataclass
class ProjectBugs:
    """One project's cases, with what the bank card reports of how they were drawn."""

    tasks: list[Task]
    stats: DrawStats


def generate_project(plan: ProjectPlan, capability: str, seed: int,
                     isolation: Isolation = "none", progress: Progress | None = None,
                     ) -> ProjectBugs:
    """Every case of one project, in the order they were found."""
    rng = random.Random(f"{seed}:{normalise(plan.name)}:{plan.version}")
    source = PypiSource(kind="pypi", name=plan.name, version=plan.version, sha256=plan.sha256)
    considered = linted = 0
    with LocalSandbox(source, isolation=isolation,
                      environment=plan.screening_environment()) as sandbox:
        baseline = measure_baseline(sandbox, plan.test_command)
        candidates = _candidates(sandbox, plan, rng)
        singles: list[Screened] = []
        used: set[tuple[str, str]] = set()
        for mutation in candidates:
            if len(singles) >= plan.cases:
                break
            if (mutation.path, mutation.symbol) in used:
                continue
            considered += 1
            if lint_detectable(mutation):
                linted += 1
                continue
            found = confirmed(sandbox, plan, baseline, [mutation])
            if found is not None:
                singles.append(found)
                used.add((mutation.path, mutation.symbol))
                _report(progress, plan, found)
        combos = _combined(sandbox, plan, baseline, singles, rng, 2, plan.combined)
        combos += _combined(sandbox, plan, baseline, singles, rng, 3, plan.triples)
        sites = _multi_site(sandbox, plan, baseline, rng, progress)
        kept = [*(singles if plan.singles else []), *combos, *sites]
        if capability == "recovery":
            tasks, kept = _as_recovery(sandbox, plan, baseline, singles, rng, isolation)
        else:
            tasks = [make_task(sandbox, plan, found, capability, rng) for found in kept]
    if capability == "testing":
        tasks, kept = _as_testing(tasks, kept, plan, isolation)
    operators = {task.instance_id: (found.site.kind,) if found.site is not None else
                 tuple(m.operator for m in found.mutations)
                 for task, found in zip(tasks, kept, strict=True)}
    return ProjectBugs(tasks, DrawStats(operators, considered, linted))


def _as_testing(tasks: list[Task], kept: list[Screened], plan: ProjectPlan,
                isolation: Isolation) -> tuple[list[Task], list[Screened]]:
    """Bug-fix cases as testing cases (``generators.tasks.testing_cases``), in order."""
    made: list[tuple[Task, Screened]] = []
    for index, (task, found) in enumerate(zip(tasks, kept, strict=True)):
        variant = variant_for(index, plan.coverage_gaps, plan.tdd)
        module = module_name(found.mutations[0].path)
        testing = as_testing_case(task, found.mutations, variant, module, isolation,
                               plan.environment())
        if testing is not None:
            made.append((testing, found))
    return [task for task, _ in made], [found for _, found in made]


def _as_recovery(sandbox: LocalSandbox, plan: ProjectPlan, baseline: Baseline,
                 singles: list[Screened], rng: random.Random,
                 isolation: Isolation) -> tuple[list[Task], list[Screened]]:
    """Recovery cases from the screened bugs (``generators.tasks.recovery_cases``):
    misdirected ones first, then faults and unsolvable requests (each with its solvable
    twin) from the rest, and pairs of bugs that fail a test in common."""
    made: list[tuple[Task, Screened]] = []
    left = list(singles)

    def task_of(found: Screened) -> Task:
        return make_task(sandbox, plan, found, "recovery", rng)

    for found in [bug for bug in left if misdirected(
            [m.path for m in bug.mutations], bug.tracebacks)][:plan.misdirected]:
        left.remove(found)
        made.append((as_kind(task_of(found), "misdirected"), found))
    for index, found in enumerate(left[:plan.faults]):
        made.append((fault_expectation(task_of(found), index), found))
    left = left[plan.faults:]
    kept_unsolvable = 0
    for found in left:
        if kept_unsolvable >= plan.unsolvable:
            break
        files = [m.path for m in found.mutations]
        if conflicting_assertion(found.messages, found.tracebacks) is None:
            continue
        secrets = [*files, *_submodules(files)]
        bug_fix = task_of(found)
        unsolvable = unsolvable_task(bug_fix, found.messages, found.tracebacks, secrets,
                                     isolation, plan.environment())
        twin = solvable_request(bug_fix, found.messages, found.tracebacks, secrets)
        if unsolvable is not None and twin is not None:
            made += [(unsolvable, found), (twin, found)]
            kept_unsolvable += 1
    pairs = _combined(sandbox, plan, baseline, singles, rng, 2, plan.interacting,
                      related=lambda group: bool(set(group[0].fail_to_pass)
                                                 & set(group[1].fail_to_pass)))
    made += [(as_kind(task_of(found), "interacting"), found) for found in pairs]
    return [task for task, _ in made], [found for _, found in made]


def _code_files(sandbox: LocalSandbox, plan: ProjectPlan) -> dict[str, str]:
    """The project's code files the spec's globs match (tests never), path -> text."""
    listed = sandbox.exec(["git", "ls-files", "-z"], timeout=60).stdout.split("\0")
    code = sorted(path for path in listed if path.endswith(".py") and not is_test_path(path)
                  and any(fnmatch.fnmatch(path, pattern) for pattern in plan.code))
    if not code:
        raise SandboxError(f"{plan.name}: no code file matches {list(plan.code)}")
    return {path: sandbox.read_file(path).decode() for path in code}


def _candidates(sandbox: LocalSandbox, plan: ProjectPlan, rng: random.Random) -> list[Mutation]:
    mutations = [m for path, text in _code_files(sandbox, plan).items()
                 for m in candidate_mutations(path, text)]
    return across_files(weighted_order(mutations, rng))


def _multi_site(sandbox: LocalSandbox, plan: ProjectPlan, baseline: Baseline,
                rng: random.Random, progress: Progress | None) -> list[Screened]:
    """Dropped parameters and removed features (``generators.tasks.refactors``), in a
    seeded order with the ones spanning most files first, one per function."""
    if plan.signatures + plan.removals == 0:
        return []
    sources = _code_files(sandbox, plan)
    found: list[Screened] = []
    for candidates, quota in ((dropped_parameters(sources), plan.signatures),
                              (removed_features(sources), plan.removals)):
        rng.shuffle(candidates)
        candidates.sort(key=lambda site: -len(site.mutations))
        used: set[str] = set()
        kept = 0
        for site in candidates:
            function = site.symbol.split("(", 1)[0]
            if kept >= quota or function in used:
                continue
            screened = confirmed(sandbox, plan, baseline, site.mutations,
                                 removal=site.kind == "removed_feature")
            if screened is not None:
                found.append(replace(screened, site=site))
                used.add(function)
                kept += 1
                _report(progress, plan, found[-1])
    return found


def across_files(mutations: Sequence[Mutation]) -> list[Mutation]:
    """``mutations`` taken from each file in turn (files in order of first appearance, each
    file's own order kept): bugs spread over the modules, and pairs in two files exist."""
    by_file: dict[str, list[Mutation]] = {}
    for mutation in mutations:
        by_file.setdefault(mutation.path, []).append(mutation)
    queues = list(by_file.values())
    return [queue[depth] for depth in range(max(map(len, queues), default=0))
            for queue in queues if depth < len(queue)]


def _combined(sandbox: LocalSandbox, plan: ProjectPlan, baseline: Baseline,
              singles: list[Screened], rng: random.Random, size: int, count: int,
              related: Callable[[Sequence[Screened]], bool] = lambda _: True,
              ) -> list[Screened]:
    """``count`` groups of ``size`` kept bugs in as many different files (and ``related``),
    screened together; each must still fail every test each of its bugs fails alone."""
    if count == 0:
        return []
    groups = [group for group in itertools.combinations(singles, size)
              if len({bug.mutations[0].path for bug in group}) == size and related(group)]
    rng.shuffle(groups)
    found: list[Screened] = []
    for group in groups:
        if len(found) >= count:
            break
        screened = confirmed(sandbox, plan, baseline,
                             [m for bug in group for m in bug.mutations],
                             accept=_fails_all([t for bug in group for t in bug.fail_to_pass]))
        if screened is not None:
            found.append(replace(screened, groups=tuple(bug.fail_to_pass for bug in group)))
    return found


def _fails_all(tests: Iterable[str]) -> Callable[[Screened], bool]:
    """Accepts a pair only if it fails every test each of its bugs fails alone."""
    needed = set(tests)
    return lambda both: needed <= set(both.fail_to_pass)


def _submodules(files: Sequence[str]) -> list[str]:
    """Dotted names of the buggy modules below the top level (``pkg`` itself is the project)."""
    return [name for name in map(module_name, files) if "." in name]


@dataclass(frozen=True)
class SuiteRun:
    """One run of the whole suite: statuses, failure messages and tracebacks, its log."""

    statuses: dict[str, str]
    messages: dict[str, str]
    tracebacks: dict[str, str]
    seconds: float
    log: str


def _run_suite(sandbox: LocalSandbox, test_command: str, timeout: float,
               tests: Sequence[str] = (), options: Sequence[str] = ()) -> SuiteRun:
    """The whole suite's run (or only ``tests``); TimeoutError when it hangs."""
    run = run_tests_once(sandbox, test_command, [*tests], timeout,
                         options=["--showlocals", *options])
    if run.timed_out:
        raise TimeoutError(f"{test_command} took more than {timeout:.0f} s")
    report = run.report or b""
    details = failure_details(report)
    messages = {test: explain_assertion(message, traceback)
                for test, (message, traceback) in details.items()}
    return SuiteRun(dict(parse_junit(report)), messages,
                    {test: traceback for test, (_, traceback) in details.items()},
                    run.seconds, run.log)


def _git_diff(sandbox: LocalSandbox, args: list[str]) -> str:
    """``git diff ARGS`` in full (through a scratch file: command output is bounded)."""
    output = f"--output={sandbox.scratch_dir}/git.diff"
    result = sandbox.exec(["git", "diff", output, *args], timeout=120)
    if not result.ok:
        raise SandboxError(f"git diff {shlex.join(args[:2])} failed: {result.combined()[-500:]}")
    return sandbox.take_scratch("git.diff").decode("utf-8")


def _report(progress: Progress | None, plan: ProjectPlan, found: Screened) -> None:
    if progress is not None:
        where = ", ".join(f"{m.path}:{m.line} {m.operator}" for m in found.mutations)
        progress(f"{plan.name}: kept {where} ({len(found.fail_to_pass)} failing)")
