"""``harness export predictions | swebench-report``: a run directory in SWE-bench's formats.

Both read one epoch of the run's latest rows (``RunDir.latest``). Each instance's patch is
the one its episode submitted (``submission.patch`` of its trajectory file), else the one
the grader graded (``outcome.candidate_patch``).

* ``predictions``: the final rows (resolved or not; infrastructure errors have no verdict)
  as SWE-bench predictions JSONL, ``{"instance_id", "model_name_or_path", "model_patch"}``.
* ``swebench-report``: what SWE-bench 5.0.2's ``run_evaluation`` leaves, laid out as it lays
  it out: ``logs/run_evaluation/<run_id>/<model>/<instance_id>/report.json`` for each graded
  instance with a non-empty patch, and the run report ``<model>.<run_id>.json`` with every
  key ``make_run_report`` writes (``<model>`` has ``/`` as ``__``). A ``report.json`` is
  ``outcome.official_report`` (the swebench package's own) when the row has one, else one
  built from the row's test statuses with the same keys; ``resolved`` is the harness's
  verdict, which differs from the official one only where the harness found tampering.
  Infrastructure errors are error instances (and likely infrastructure failures, their
  reason in ``failure_reasons``); planned cases without a row are incomplete.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from harness.cli_common import Subparsers, add_group
from harness.datasets.predictions import (
    Prediction,
    RunReport,
    report_filename,
    write_predictions,
    write_report,
)
from harness.errors import HarnessError, RunDirError
from harness.results import CaseResult, TestStatus
from harness.rundir import RunDir

EXAMPLES = """examples:
  harness export predictions runs/RUN                         # JSONL on stdout
  harness export predictions runs/RUN --output preds.jsonl    # or .json (a list)
  harness export predictions runs/RUN --epoch 2 --model-name my-org/my-model
  harness export swebench-report runs/RUN --output eval
      # eval/logs/run_evaluation/RUN/oracle/<instance_id>/report.json, eval/oracle.RUN.json
  harness export swebench-report runs/RUN --run-id nightly    # under ./logs, ./oracle.nightly.json
"""
LOG_DIR = Path("logs") / "run_evaluation"
REPORT = "report.json"
TO_FAIL = ("FAIL_TO_FAIL", "PASS_TO_FAIL")


def add_parser(commands: Subparsers) -> None:
    """Register ``export`` and its subcommands on the top-level parser."""
    sub = add_group(commands, "export", "write a run's results in SWE-bench's formats", EXAMPLES)
    predictions = sub("predictions", "the run's final patches as SWE-bench predictions")
    _common(predictions)
    predictions.add_argument("--output", type=Path,
                             help="a .jsonl or .json file (default: JSONL on stdout)")
    predictions.set_defaults(handler=run_predictions)

    report = sub("swebench-report", "per-instance report.json files and the run report, as "
                 "SWE-bench's harness writes them")
    _common(report)
    report.add_argument("--output", type=Path, default=Path("."),
                        help="where logs/ and the run report go (default: .)")
    report.add_argument("--run-id", help="SWE-bench run id (default: the run directory's name)")
    report.set_defaults(handler=run_swebench_report)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("run", type=Path, help="run directory")
    parser.add_argument("--epoch", type=int, default=1, help="which epoch (default: 1)")
    parser.add_argument("--model-name", help="model_name_or_path (default: the run's model)")


def epoch_rows(run: RunDir, epoch: int) -> list[CaseResult]:
    """The latest row of each instance of ``epoch``, by instance id; an error if there is none."""
    run.meta()
    latest = run.latest()
    rows = sorted((row for row in latest.values() if row.epoch == epoch),
                  key=lambda row: row.instance_id)
    if not rows:
        epochs = sorted({row.epoch for row in latest.values()})
        have = f"it has epochs {', '.join(map(str, epochs))}" if epochs else "it has no results"
        raise HarnessError(f"{run.path}: no results for epoch {epoch} ({have}); "
                           "pass --epoch, or run the suite first")
    return rows


def submitted_patch(run: RunDir, row: CaseResult) -> str:
    """The trajectory's ``submission.patch``, else ``outcome.candidate_patch``, else ``""``."""
    if row.trajectory:
        root = run.path.resolve()
        path = (root / row.trajectory).resolve()
        if not path.is_relative_to(root):
            raise RunDirError(f"{run.results_path}: {row.instance_id}'s trajectory "
                              f"{row.trajectory!r} is outside the run directory")
        if path.is_file():
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
                raise RunDirError(f"{path}: unreadable trajectory ({exc}); restore it, or "
                                  "remove it to export the graded patch instead") from exc
            submission = data.get("submission") if isinstance(data, dict) else None
            patch = submission.get("patch") if isinstance(submission, dict) else None
            if isinstance(patch, str):
                return patch
    return row.outcome.candidate_patch if row.outcome else ""


def predictions_of(run: RunDir, rows: list[CaseResult], model: str) -> list[Prediction]:
    """The final rows as SWE-bench predictions."""
    return [Prediction(instance_id=row.instance_id, model_name_or_path=model,
                       model_patch=submitted_patch(run, row)) for row in rows if row.is_final]


def instance_report(row: CaseResult) -> dict[str, Any]:
    """``{instance_id: entry}`` as SWE-bench writes to ``report.json`` for a graded row."""
    outcome = row.outcome
    official = outcome.official_report if outcome else None
    if official is not None:
        entry = instance_report_entry(official, row.instance_id)
    else:
        applied = bool(outcome and outcome.patch_applied)
        entry = {"patch_is_None": False, "patch_exists": True,
                 "patch_successfully_applied": applied, "resolved": False,
                 "infra_failure": False}
        if outcome and applied:
            entry["tests_status"] = {
                "FAIL_TO_PASS": _split(outcome.fail_to_pass, ("passed",)),
                "PASS_TO_PASS": _split(outcome.pass_to_pass, ("passed", "skipped")),
                **{kind: {"success": [], "failure": []} for kind in TO_FAIL}}
    entry["resolved"] = row.status == "resolved"
    return {row.instance_id: entry}


def _split(statuses: dict[str, TestStatus], good: tuple[str, ...]) -> dict[str, list[str]]:
    """SWE-bench's ``success``/``failure`` lists (a skipped FAIL_TO_PASS test is a failure)."""
    return {"success": [test for test, status in statuses.items() if status in good],
            "failure": [test for test, status in statuses.items() if status not in good]}


def run_report(planned: set[str], rows: list[CaseResult], patches: dict[str, str],
               reports: dict[str, dict[str, Any]]) -> RunReport:
    """SWE-bench's run report of ``rows`` (every key of 5.0.2's ``make_run_report``).

    ``reports`` holds the ``report.json`` content of the graded instances; a row without
    one is an empty patch (``""``) or an error (an infrastructure error).
    """
    ids: dict[str, set[str]] = {kind: set() for kind in (
        "completed", "resolved", "unresolved", "empty_patch", "error", "infra_failure",
        "ambiguous_failure")}
    reasons: dict[str, str] = {}
    for row in rows:
        instance_id = row.instance_id
        if row.status == "infra_error":
            ids["error"].add(instance_id)
            ids["infra_failure"].add(instance_id)
            first_line = (row.error or "no message").strip().split("\n", 1)[0]
            reasons[instance_id] = f"infra_error: {first_line[:200]}"
        elif patches[instance_id] == "":
            ids["empty_patch"].add(instance_id)
        else:
            entry = reports[instance_id][instance_id]
            ids["completed"].add(instance_id)
            ids["resolved" if entry["resolved"] else "unresolved"].add(instance_id)
            reason = entry.get("infra_failure_reason")
            if not entry["resolved"] and isinstance(reason, str):
                ids["infra_failure" if entry.get("infra_failure") else
                    "ambiguous_failure"].add(instance_id)
                reasons[instance_id] = reason
    submitted = {row.instance_id for row in rows}
    values: dict[str, Any] = {
        "total_instances": len(planned), "submitted_instances": len(submitted),
        **{f"{kind}_instances": len(found) for kind, found in ids.items()},
        "incomplete_ids": sorted(planned - submitted), "submitted_ids": sorted(submitted),
        **{f"{kind}_ids": sorted(found) for kind, found in ids.items()},
        "failure_reasons": dict(sorted(reasons.items())), "schema_version": 2}
    return RunReport.model_validate(values)


def run_predictions(args: argparse.Namespace) -> int:
    run = RunDir(args.run)
    rows = epoch_rows(run, args.epoch)
    model = args.model_name or run.meta().model
    predictions = predictions_of(run, rows, model)
    if args.output is None:
        sys.stdout.write("".join(json.dumps(p.model_dump()) + "\n" for p in predictions))
        where, stream = "stdout", sys.stderr
    else:
        write_predictions(predictions, args.output)
        where, stream = str(args.output), sys.stdout
    left_out = len(rows) - len(predictions)
    note = (f"; {left_out} infrastructure error(s) left out (no verdict yet: finish them with "
            "--resume)") if left_out else ""
    print(f"wrote {len(predictions)} predictions of {model} (epoch {args.epoch}) to "
          f"{where}{note}", file=stream)
    return 0


def run_swebench_report(args: argparse.Namespace) -> int:
    run = RunDir(args.run)
    rows = epoch_rows(run, args.epoch)
    model = args.model_name or run.meta().model
    run_id = args.run_id or run.path.resolve().name
    plan = run.plan()
    planned = {row.instance_id for row in rows} | {
        case.instance_id for case in (plan.cases if plan else []) if case.epoch == args.epoch}
    patches = {row.instance_id: submitted_patch(run, row) for row in rows}
    reports = {row.instance_id: instance_report(row) for row in rows
               if row.is_final and patches[row.instance_id] != ""}
    model_dir = args.output / LOG_DIR / run_id / model.replace("/", "__")
    stale = sorted(path.parent.name for path in model_dir.glob(f"*/{REPORT}")
                   if path.parent.name not in reports)
    if stale:
        raise HarnessError(f"{model_dir} holds report.json files this run does not have "
                           f"({', '.join(stale[:5])}{' ...' if len(stale) > 5 else ''}); "
                           "remove that directory, or pass another --output or --run-id")
    for instance_id, report in reports.items():
        (model_dir / instance_id).mkdir(parents=True, exist_ok=True)
        (model_dir / instance_id / REPORT).write_text(json.dumps(report, indent=4),
                                                      encoding="utf-8")
    summary = run_report(planned, rows, patches, reports)
    target = args.output / report_filename(model, run_id)
    args.output.mkdir(parents=True, exist_ok=True)
    write_report(summary, target)
    print(f"wrote {len(reports)} report.json file(s) under {model_dir} and the run report "
          f"{target}: {summary.resolved_instances} resolved, {summary.unresolved_instances} "
          f"unresolved, {summary.empty_patch_instances} empty patches, "
          f"{summary.error_instances} errors, {len(summary.incomplete_ids)} incomplete of "
          f"{summary.total_instances}")
    overruled = [row.instance_id for row in rows if row.instance_id in reports
                 and official_resolved(row) not in (None, row.status == "resolved")]
    if overruled:
        print(f"the harness's verdict overrules the official one for {len(overruled)} "
              f"instance(s) ({', '.join(overruled[:5])}); see their outcome.tampering in "
              "results.jsonl")
    return 0


def official_resolved(row: CaseResult) -> bool | None:
    """The swebench package's own verdict on the row, if it has one."""
    official = row.outcome.official_report if row.outcome else None
    if official is None:
        return None
    return bool(instance_report_entry(official, row.instance_id).get("resolved"))


def instance_report_entry(official: dict[str, Any], instance_id: str) -> dict[str, Any]:
    """The instance's entry of an official report, given bare or keyed by the instance id."""
    nested = official.get(instance_id)
    return dict(nested if len(official) == 1 and isinstance(nested, dict) else official)
