"""Rows from JSONL, JSON, Parquet files or a Hugging Face dataset, each with its 1-based number.

The number is what a ``BankError`` names: the line for JSONL, the row for JSON lists,
Parquet files and Hugging Face splits. ``read_rows`` yields a row that cannot be read (a
JSONL line that is not a JSON object, say) as its ``BankError`` in place of the row, so one
bad row never hides the others; a file that cannot be read at all raises.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from harness.errors import BankError, ConfigError
from harness.json_object import NotAJsonObject, json_object

Row = dict[str, Any]
Numbered = Iterator[tuple[int, Row]]
Entries = Iterator[tuple[int, Row | BankError]]

SUFFIXES = (".jsonl", ".json", ".parquet")
_HF_NAME = re.compile(r"[A-Za-z0-9][\w.-]*/[\w.-]+")


def read_rows(source: str | Path, *, split: str = "test") -> tuple[str, Entries]:
    """``(origin, entries)`` for a file path or a Hugging Face dataset name (``owner/name``).

    ``origin`` is the file path, or ``hf://owner/name[split]``; it is the path in errors.
    Each entry is ``(number, row)``, or ``(number, BankError)`` for a row that is unreadable.
    """
    path = Path(source)
    if path.is_file():
        suffix = path.suffix.lower()
        if suffix == ".jsonl":
            return str(path), jsonl_entries(path)
        if suffix == ".json":
            return str(path), json_entries(path)
        if suffix == ".parquet":
            return str(path), parquet_rows(path)
        raise ConfigError(f"{path}: unknown file type; expected one of {', '.join(SUFFIXES)}")
    if isinstance(source, str) and _HF_NAME.fullmatch(source) and not source.endswith(SUFFIXES):
        return f"hf://{source}[{split}]", hf_rows(source, split)
    raise ConfigError(f"{source}: no such file (nor a Hugging Face dataset name owner/name)")


def jsonl_rows(path: Path) -> Numbered:
    """One JSON object per line; the first line that is not one raises its ``BankError``."""
    return _raising(jsonl_entries(path))


def json_rows(path: Path) -> Numbered:
    """A JSON file holding a list of row objects; the first non-object raises."""
    return _raising(json_entries(path))


def jsonl_entries(path: Path) -> Entries:
    """One JSON object per line; blank lines are skipped, only ``\\n`` ends a line."""
    for number, raw in enumerate(path.read_bytes().split(b"\n"), start=1):
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            yield number, BankError(str(path), number, "<row>",
                                    f"UTF-8 text (byte {exc.start} of the line is not)")
            continue
        if line.strip():
            yield number, _row(line, path, number)


def json_entries(path: Path) -> Entries:
    """A JSON file holding a list of row objects (a file that does not parse raises)."""
    data = _loads(_decode(path), path)
    if not isinstance(data, list):
        raise BankError(str(path), 1, "<file>", f"a JSON list of rows, got {type(data).__name__}")
    for number, row in enumerate(data, start=1):
        yield number, _row(row, path, number)


def parquet_rows(path: Path) -> Numbered:
    """Rows of a Parquet file, read a batch at a time."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        batches = pq.ParquetFile(path).iter_batches(batch_size=256)
    except (pa.ArrowException, OSError) as exc:
        raise BankError(str(path), 1, "<file>", f"a Parquet file ({exc})") from exc
    number = 0
    while True:
        try:
            batch = next(batches)
        except StopIteration:
            return
        except (pa.ArrowException, OSError) as exc:
            raise BankError(str(path), number + 1, "<file>",
                            f"a readable Parquet file; reading stopped here ({exc})") from exc
        for row in batch.to_pylist():
            number += 1
            yield number, dict(row)


def hf_rows(name: str, split: str) -> Numbered:
    """Rows of a Hugging Face dataset split; ``datasets`` is imported only here."""
    try:
        import datasets
    except ImportError as exc:
        raise ConfigError(
            f"loading {name} needs the `datasets` package: pip install datasets "
            "(or pass a local .jsonl/.json/.parquet file)") from exc
    try:
        dataset = datasets.load_dataset(name, split=split)
    except (OSError, ValueError) as exc:  # offline, unknown name or split, hub errors
        raise ConfigError(
            f"cannot load Hugging Face dataset {name} split {split!r}: {exc} "
            "(offline? download it first or pass a local file)") from exc
    for number, row in enumerate(dataset, start=1):
        yield number, dict(row)


def validation_error(exc: ValidationError, origin: str, number: int) -> BankError:
    """The first pydantic error as a ``BankError`` naming the field."""
    first = exc.errors()[0]
    field = ".".join(str(part) for part in first["loc"]) or "<row>"
    return BankError(origin, number, field, first["msg"])


def text(row: Mapping[str, Any], field: str, origin: str, number: int, *,
         required: bool = True) -> str:
    """A string column; ``None`` or absent is ``""`` for optional columns."""
    value = row.get(field)
    if value is None:
        if not required:
            return ""
        where = "null" if field in row else "no such column"
        raise BankError(origin, number, field, f"a non-empty string, but it is missing ({where})")
    if not isinstance(value, str):
        raise BankError(origin, number, field, f"a string, got {type(value).__name__}")
    if required and not value:
        raise BankError(origin, number, field, "a non-empty string")
    return value


def string_list(row: Mapping[str, Any], field: str, origin: str, number: int) -> list[str]:
    """A list of strings, given as a list or as the JSON text of one (SWE-bench files)."""
    if field not in row:
        raise BankError(origin, number, field, "a list of test ids, but the column is missing")
    value = row[field]
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as exc:
            raise BankError(origin, number, field,
                            f"a JSON list of strings; the text does not parse ({exc.msg})") from exc
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise BankError(origin, number, field,
                        f"a list of strings, got {type(value).__name__}: {str(value)[:80]}")
    return list(value)


def _raising(entries: Entries) -> Numbered:
    for number, entry in entries:
        if isinstance(entry, BankError):
            raise entry
        yield number, entry


def _decode(path: Path) -> str:
    """The file as UTF-8; an undecodable byte is a file error naming its line."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise BankError(str(path), line, "<file>", "UTF-8 text") from exc


def _loads(data: str, path: Path) -> Any:
    """Parse a whole JSON file; an error names the line where parsing failed."""
    try:
        return json.loads(data)
    except json.JSONDecodeError as exc:
        raise BankError(str(path), exc.lineno, "<row>", f"valid JSON ({exc.msg})") from exc


def _row(value: Any, path: Path, number: int) -> Row | BankError:
    """Row ``number`` of ``path`` (a JSON object, or its text), or why it is not one."""
    try:
        return json_object(value)
    except NotAJsonObject as exc:
        return BankError(str(path), number, "<row>", str(exc))
