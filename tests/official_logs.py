"""Test logs in the formats the swebench package's log parsers read.

``render_log(parser, statuses)`` writes, for each test id, the output the named parser
(``swebench.harness.log_parsers.PARSER_REGISTRY``) reads back as that id with that
status, wrapped as the log of a SWE-bench eval script is: the ``set -x`` trace of
``: '>>>>> Start Test Output'``, the test output, the trace of the end marker, then
``>>>>> Test Exit Code: N``. The formats were learnt from the parsers' code; nothing here
calls them. ``STATUSES`` says which statuses each format can carry (a parser that folds
ERROR into FAILED, or never records a skip, cannot carry them).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from xml.sax.saxutils import quoteattr

START_TEST_OUTPUT = ">>>>> Start Test Output"
END_TEST_OUTPUT = ">>>>> End Test Output"
TEST_EXIT_CODE = ">>>>> Test Exit Code"

PASSED, FAILED, SKIPPED, ERROR, XFAIL = "PASSED", "FAILED", "SKIPPED", "ERROR", "XFAIL"
FAILING = frozenset({FAILED, ERROR})

Statuses = Mapping[str, str]
Body = Callable[[Statuses], list[str]]


def _per_test(templates: Mapping[str, str]) -> Body:
    """One line per test, ``templates[status].format(id=test)``."""
    def body(statuses: Statuses) -> list[str]:
        return [templates[status].format(id=test) for test, status in statuses.items()]
    return body


_PYTEST = _per_test({PASSED: "PASSED {id}", FAILED: "FAILED {id} - AssertionError: assert 1 == 2",
                     SKIPPED: "SKIPPED {id}", ERROR: "ERROR {id}", XFAIL: "XFAIL {id}"})
_DJANGO = _per_test({PASSED: "{id} ... ok", FAILED: "{id} ... FAIL", ERROR: "{id} ... ERROR",
                     SKIPPED: "{id} ... skipped 'not supported here'"})
_SYMPY = _per_test({PASSED: "{id} ok", FAILED: "{id} F", ERROR: "{id} E"})
_RSPEC = _per_test({PASSED: "{id} - passed", FAILED: "{id} - failed"})
_RUBY_UNIT = _per_test({PASSED: "  {id}:\t.: (0.001s)", FAILED: "  {id}:\tF: (0.001s)",
                        SKIPPED: "  {id}:\tO: (0.001s)"})
_MINITEST = _per_test({PASSED: "{id}. = 0.01 s = .", FAILED: "{id}. = 0.01 s = F"})
_CUCUMBER = _per_test({PASSED: "{id} ...", FAILED: "{id} .F"})
_REDIS = _per_test({PASSED: "[ok]: {id} (2 ms)", FAILED: "[err]: {id} in tests/unit/case.tcl",
                    SKIPPED: "[skip]: {id}"})
_JQ = _per_test({PASSED: "PASS: {id}", FAILED: "FAIL: {id}"})
_MICROPYTHON = _per_test({PASSED: "pass  {id}", FAILED: "FAIL  {id}", SKIPPED: "skip  {id}"})
_GOOGLETEST = _per_test({PASSED: "[ RUN      ] {id}\n[       OK ] {id} (0 ms)",
                         FAILED: "[ RUN      ] {id}\n[  FAILED  ] {id} (1 ms)"})
_GOTEST = _per_test({PASSED: "=== RUN   {id}\n--- PASS: {id} (0.00s)",
                     FAILED: "=== RUN   {id}\n--- FAIL: {id} (0.01s)",
                     SKIPPED: "=== RUN   {id}\n--- SKIP: {id} (0.00s)"})
_CARGO = _per_test({PASSED: "test {id} ... ok", FAILED: "test {id} ... FAILED"})
_MVN = "+ mvn test -B -Dtest={id} -DfailIfNoTests=false\n[INFO] BUILD"
_MAVEN = _per_test({PASSED: f"{_MVN} SUCCESS", FAILED: f"{_MVN} FAILURE"})
_ANT = _per_test({PASSED: "    [junit] [PASS] {id}", FAILED: "    [junit] [FAIL] {id}"})
_GRADLE = _per_test({PASSED: "{id} PASSED", FAILED: "{id} FAILED"})
_JEST = _per_test({PASSED: "  \u2713 {id} (3 ms)", FAILED: "  \u2715 {id} (5 ms)",
                   SKIPPED: "  \u25cb {id}"})
_JEST_JSON = _per_test({PASSED: "[PASSED] {id}", FAILED: "[FAILED] {id}"})
_VITEST = _per_test({PASSED: " \u2713 {id} 2ms", FAILED: " \u00d7 {id} 4ms",
                     SKIPPED: " \u2193 {id} [skipped]"})


def _both(*bodies: Body) -> Body:
    """Every test in each format, for parsers that pick a format by instance id."""
    def body(statuses: Statuses) -> list[str]:
        return [line for each in bodies for line in each(statuses)]
    return body


def _split_first(test: str, separator: str = " > ") -> tuple[str, str]:
    head, found, tail = test.partition(separator)
    if not found:
        raise ValueError(f"{test!r} has no {separator!r} to split a suite from a test name")
    return head, tail


def _grouped(statuses: Statuses) -> dict[str, list[tuple[str, str]]]:
    """``suite > name`` ids grouped by suite, in first-seen order."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for test, status in statuses.items():
        suite, name = _split_first(test)
        groups.setdefault(suite, []).append((name, status))
    return groups


def _phpunit(statuses: Statuses) -> list[str]:
    """``phpunit --testdox``: a ``Suite (Class)`` header, then one mark per test."""
    marks = {PASSED: "\u2714", FAILED: "\u2718", SKIPPED: "\u21a9"}
    lines: list[str] = []
    for suite, tests in _grouped(statuses).items():
        lines.append(f"{suite} (Tests\\{suite.replace(' ', '')}Test)")
        lines += [f" {marks[status]} {name}" for name, status in tests]
        lines.append("")
    return lines


def _doctest(statuses: Statuses) -> list[str]:
    """doctest's ``-r=xml`` report: a failed subcase holds a failed expression."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<doctest binary="tests">',
             '  <TestSuite name="unit">']
    for case, tests in _grouped(statuses).items():
        lines.append(f"    <TestCase name={quoteattr(case)} filename=\"unit.cpp\" line=\"1\">")
        for name, status in tests:
            success = "false" if status == FAILED else "true"
            lines += [f"      <SubCase name={quoteattr(name)} filename=\"unit.cpp\" line=\"2\">",
                      f'        <Expression success="{success}" type="CHECK"/>',
                      "      </SubCase>"]
        lines.append("    </TestCase>")
    return [*lines, "  </TestSuite>", "</doctest>"]


def _karma(statuses: Statuses) -> list[str]:
    """karma-mocha-reporter's tree, indented for the parser's suite stack: it pushes a suite
    line deeper than the last one, pops one suite (and drops the line) on a shallower one,
    and does nothing on an equal one, so a sibling suite is written as a pop then a push."""
    marks = {PASSED: "\u2714", FAILED: "\u2716"}
    lines = ["Starting browser ChromeHeadless"]
    stack: list[str] = []

    def pad(depth: int) -> str:
        return " " * (2 * depth + 2)

    for test, status in statuses.items():
        *suites, name = test.split(" > ")
        keep = 0
        while keep < min(len(stack), len(suites)) and stack[keep] == suites[keep]:
            keep += 1
        while len(stack) > keep:
            lines.append(pad(len(stack) - 1) + stack.pop())
        for suite in suites[keep:]:
            stack.append(suite)
            lines.append(pad(len(stack)) + suite)
        lines.append(pad(len(stack) + 1) + f"{marks[status]} {name}")
    passed = sum(status == PASSED for status in statuses.values())
    return [*lines, "", "SUMMARY:", f"\u2714 {passed} tests completed"]


def _tap(statuses: Statuses) -> list[str]:
    lines = ["TAP version 13"]
    for number, (test, status) in enumerate(statuses.items(), 1):
        lines.append(f"{'ok' if status == PASSED else 'not ok'} {number} {test}")
    return [*lines, f"1..{len(statuses)}", f"# tests {len(statuses)}"]


def _cargo(statuses: Statuses) -> list[str]:
    failed = sum(status == FAILED for status in statuses.values())
    return [f"running {len(statuses)} tests", *_CARGO(statuses), "",
            f"test result: {'FAILED' if failed else 'ok'}. {len(statuses) - failed} passed; "
            f"{failed} failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.01s"]


ALL = frozenset({PASSED, FAILED, SKIPPED, ERROR, XFAIL})
PASS_FAIL = frozenset({PASSED, FAILED})
PASS_FAIL_SKIP = frozenset({PASSED, FAILED, SKIPPED})
FORMATS: dict[str, tuple[Body, frozenset[str]]] = {
    **{name: (_PYTEST, ALL) for name in (
        "parse_log_pytest", "parse_log_pytest_options", "parse_log_pytest_v2",
        "parse_log_matplotlib", "parse_log_astroid", "parse_log_flask", "parse_log_marshmallow",
        "parse_log_pvlib", "parse_log_pyvista", "parse_log_sqlfluff", "parse_log_xarray",
        "parse_log_pydicom", "parse_log_requests", "parse_log_pylint", "parse_log_astropy",
        "parse_log_scikit", "parse_log_sphinx")},
    "parse_log_seaborn": (_PYTEST, PASS_FAIL),
    "parse_log_django": (_DJANGO, frozenset({PASSED, FAILED, ERROR, SKIPPED})),
    "parse_log_sympy": (_SYMPY, frozenset({PASSED, FAILED, ERROR})),
    "parse_log_gotest": (_GOTEST, PASS_FAIL_SKIP),
    "parse_log_cargo": (_cargo, PASS_FAIL),
    "parse_log_phpunit": (_phpunit, PASS_FAIL_SKIP),
    "parse_log_rspec_transformed_json": (_RSPEC, PASS_FAIL),
    "parse_log_ruby_unit": (_RUBY_UNIT, PASS_FAIL_SKIP),
    "parse_log_minitest": (_MINITEST, PASS_FAIL),
    "parse_log_cucumber": (_CUCUMBER, PASS_FAIL),
    "parse_log_jekyll": (_both(_MINITEST, _CUCUMBER), PASS_FAIL),
    "parse_log_redis": (_REDIS, PASS_FAIL_SKIP),
    "parse_log_jq": (_JQ, PASS_FAIL),
    "parse_log_doctest": (_doctest, PASS_FAIL),
    "parse_log_micropython_test": (_MICROPYTHON, PASS_FAIL_SKIP),
    "parse_log_googletest": (_GOOGLETEST, PASS_FAIL),
    "parse_log_maven": (_MAVEN, PASS_FAIL),
    "parse_log_ant": (_ANT, PASS_FAIL),
    "parse_log_gradle_custom": (_GRADLE, PASS_FAIL),
    "parse_log_jest": (_JEST, PASS_FAIL_SKIP),
    "parse_log_jest_json": (_JEST_JSON, PASS_FAIL),
    "parse_log_immutable_js": (_both(_JEST, _JEST_JSON), PASS_FAIL),
    "parse_log_vitest": (_VITEST, PASS_FAIL_SKIP),
    "parse_log_karma": (_karma, PASS_FAIL),
    "parse_log_tap": (_tap, PASS_FAIL),
}
STATUSES: dict[str, frozenset[str]] = {name: kinds for name, (_, kinds) in FORMATS.items()}


def render_log(log_parser: str, statuses: Mapping[str, str], *,
               exit_code: int | None = None) -> str:
    """The eval-script log in which ``log_parser`` finds each test of ``statuses`` (id to
    swebench ``TestStatus`` value); the recorded exit code is 1 if a test failed or
    errored, else 0, unless ``exit_code`` is given. ValueError for a parser without a
    format here or a status its format cannot carry."""
    if log_parser not in FORMATS:
        raise ValueError(f"no log format for {log_parser!r}")
    body, kinds = FORMATS[log_parser]
    unknown = sorted(set(statuses.values()) - kinds)
    if unknown:
        raise ValueError(f"{log_parser} cannot carry {unknown} (only {sorted(kinds)})")
    if exit_code is None:
        exit_code = int(any(status in FAILING for status in statuses.values()))
    return "\n".join([f"+ : '{START_TEST_OUTPUT}'", *body(statuses),
                      f"+ SWEBENCH_TEST_EXIT_CODE={exit_code}", f"+ : '{END_TEST_OUTPUT}'",
                      f"{TEST_EXIT_CODE}: {exit_code}", ""])
