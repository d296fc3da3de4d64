"""SWE-bench predictions, run reports and banks exported as SWE-bench rows.

* Predictions: rows ``{"instance_id", "model_name_or_path", "model_patch"}`` in JSONL or a
  JSON list (a JSON object keyed by instance id, SWE-agent's form, is read too). A
  ``model_patch`` of ``null`` or ``""`` is an empty patch; other keys are ignored.
* Run report: the ``<model>.<run_id>.json`` summary that ``swebench.harness.run_evaluation``
  writes (``schema_version`` 2): counts, id lists and, with a Docker client, the
  ``unstopped_*``/``unremoved_images`` fields. Counts must match their id lists.
* ``export_bank``: tasks as SWE-bench rows, ``FAIL_TO_PASS``/``PASS_TO_PASS`` as JSON text like
  the official files. Loading the rows back (``load_swebench``) gives the same tasks when they
  are SWE-bench tasks (GitHub ``GitSource`` at ``base_commit``, default ``test_command`` and
  the same ``capability``/``source``); the harness-only fields are not exported.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from harness.datasets._io import Numbered, jsonl_rows, validation_error
from harness.datasets.swebench import CLASSIC_COLUMNS, V5_COLUMNS
from harness.errors import BankError, ConfigError
from harness.json_object import NotAJsonObject, json_object
from harness.task import Task


class Prediction(BaseModel):
    """One model answer for one instance."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    instance_id: str = Field(min_length=1)
    model_name_or_path: str = Field(min_length=1)
    model_patch: str | None = Field(description="the diff; None or '' is an empty patch")


def read_predictions(path: Path) -> list[Prediction]:
    """Predictions from ``.jsonl`` or ``.json``; a bad row raises ``BankError``."""
    predictions: list[Prediction] = []
    seen: dict[str, int] = {}
    for number, row in _prediction_rows(path):
        try:
            prediction = Prediction.model_validate(row)
        except ValidationError as exc:
            raise validation_error(exc, str(path), number) from exc
        if prediction.instance_id in seen:
            raise BankError(str(path), number, "instance_id",
                            f"one prediction per instance; {prediction.instance_id!r} is "
                            f"already row {seen[prediction.instance_id]}")
        seen[prediction.instance_id] = number
        predictions.append(prediction)
    return predictions


def write_predictions(predictions: Iterable[Prediction], path: Path) -> None:
    """Write ``.jsonl`` (one row a line) or ``.json`` (a list), chosen by the suffix."""
    rows = [prediction.model_dump() for prediction in predictions]
    _write(rows, path)


class RunReport(BaseModel):
    """SWE-bench's run summary; unknown keys are kept and written back."""

    model_config = ConfigDict(extra="allow", frozen=True)

    total_instances: int = Field(ge=0)
    submitted_instances: int = Field(ge=0)
    completed_instances: int = Field(ge=0)
    resolved_instances: int = Field(ge=0)
    unresolved_instances: int = Field(ge=0)
    empty_patch_instances: int = Field(ge=0)
    error_instances: int = Field(ge=0)
    completed_ids: list[str]
    incomplete_ids: list[str] = Field(default_factory=list)
    empty_patch_ids: list[str]
    submitted_ids: list[str]
    resolved_ids: list[str]
    unresolved_ids: list[str]
    error_ids: list[str]
    schema_version: int = 2
    unstopped_instances: int | None = None
    unstopped_containers: list[str] | None = None
    unremoved_images: list[str] | None = None

    @model_validator(mode="after")
    def _counts_match_ids(self) -> RunReport:
        """Each ``<kind>_instances`` is the length of ``<kind>_ids`` (the error names the count)."""
        for kind in ("submitted", "completed", "resolved", "unresolved", "empty_patch", "error"):
            count, ids = getattr(self, f"{kind}_instances"), getattr(self, f"{kind}_ids")
            if count != len(ids):
                error = PydanticCustomError("count_mismatch", "{count}, but {ids} lists {n} ids",
                                            {"count": count, "ids": f"{kind}_ids", "n": len(ids)})
                raise ValidationError.from_exception_data("RunReport", [InitErrorDetails(
                    type=error, loc=(f"{kind}_instances",), input=count)])
        return self


def report_filename(model_name_or_path: str, run_id: str) -> str:
    """``<model with / as __>.<run_id>.json``, the name SWE-bench gives the report."""
    return f"{model_name_or_path.replace('/', '__')}.{run_id}.json"


def read_report(path: Path) -> RunReport:
    """Read a run report; a malformed one raises ``BankError`` naming the field."""
    try:
        data = json_object(path.read_text(encoding="utf-8"))
    except NotAJsonObject as exc:
        raise BankError(str(path), exc.line, "<file>", str(exc)) from exc
    try:
        return RunReport.model_validate(data)
    except ValidationError as exc:
        raise validation_error(exc, str(path), 1) from exc


def write_report(report: RunReport, path: Path) -> None:
    """Write the report as SWE-bench does (4-space indent; absent Docker fields left out)."""
    path.write_text(json.dumps(report.model_dump(exclude_none=True), indent=4) + "\n",
                    encoding="utf-8")


def export_bank(tasks: Iterable[Task], *,
                schema: Literal["classic", "v5"] = "classic") -> list[dict[str, str]]:
    """Tasks as SWE-bench rows: the 12 classic columns, plus the 5.x ones for ``"v5"``."""
    columns = CLASSIC_COLUMNS + (V5_COLUMNS if schema == "v5" else ())
    rows = []
    for task in tasks:
        values = task.model_dump(include=set(columns))
        rows.append({column: json.dumps(values[column]) if isinstance(values[column], list)
                     else values[column] for column in columns})
    return rows


def write_jsonl(rows: Iterable[Mapping[str, Any]], path: Path) -> None:
    """One JSON object a line (ASCII-escaped, so no line breaks can hide inside a row)."""
    path.write_text("".join(json.dumps(dict(row)) + "\n" for row in rows), encoding="utf-8")


def _prediction_rows(path: Path) -> Numbered:
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        return jsonl_rows(path)
    if suffix != ".json":
        raise ConfigError(f"{path}: predictions must be .jsonl or .json")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise BankError(str(path), exc.lineno, "<file>", f"valid JSON ({exc.msg})") from exc
    if isinstance(data, dict):  # SWE-agent: {instance_id: prediction}
        return _numbered(data.values(), path)
    if isinstance(data, list):
        return _numbered(data, path)
    raise BankError(str(path), 1, "<file>",
                    f"a JSON list of predictions, got {type(data).__name__}")


def _numbered(rows: Iterable[Any], path: Path) -> Numbered:
    for number, row in enumerate(rows, start=1):
        if not isinstance(row, dict):
            raise BankError(str(path), number, "<row>", f"a JSON object, got {type(row).__name__}")
        yield number, row


def _write(rows: list[dict[str, Any]], path: Path) -> None:
    if path.suffix.lower() == ".jsonl":
        write_jsonl(rows, path)
    elif path.suffix.lower() == ".json":
        path.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    else:
        raise ConfigError(f"{path}: predictions must be written as .jsonl or .json")
