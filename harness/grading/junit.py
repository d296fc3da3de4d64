"""Per-test results from pytest's JUnit XML (``junit_family=xunit1``), keyed by pytest node id."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from harness.results import TestStatus


def node_id(file: str, classname: str, name: str) -> str:
    """Rebuild ``path::Class::test[param]`` from a testcase's attributes."""
    module = file[:-3].replace("/", ".") if file.endswith(".py") else ""
    classes = classname[len(module) + 1:] if module and classname.startswith(module) else ""
    parts = [file, *[c for c in classes.split(".") if c], name]
    return "::".join(parts)


def parse_junit(data: bytes) -> dict[str, TestStatus]:
    """Map every test case in the report to passed, failed, error or skipped."""
    try:
        root = ET.fromstring(data)
    except ET.ParseError:
        return {}
    statuses: dict[str, TestStatus] = {}
    for case in root.iter("testcase"):
        key = node_id(case.get("file", ""), case.get("classname", ""), case.get("name", ""))
        tags = {child.tag for child in case}
        status: TestStatus = "passed"
        if "error" in tags:
            status = "error"
        elif "failure" in tags:
            status = "failed"
        elif "skipped" in tags:
            status = "skipped"
        previous = statuses.get(key)
        statuses[key] = status if previous in (None, "passed") else previous
    return statuses
