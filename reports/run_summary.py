"""A plain-text summary of one run directory (``harness runs show``) and run listings."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from harness.gate import decide_gate, gate_line
from harness.rundir import RunDir
from harness.scoring import format_scores, mean_scores


def show_run(run_dir: RunDir, failures: int = 20) -> str:
    """Model, configuration, per-capability numbers and the cases that did not resolve."""
    meta = run_dir.meta()
    latest = run_dir.latest()
    lines = [f"run        {run_dir.path}",
             f"model      {meta.model}",
             f"sandbox    {meta.sandbox} (isolation: {meta.isolation})",
             f"created    {meta.created_at}",
             f"revision   {meta.harness_revision}",
             f"rows       {len(run_dir.results())} in results.jsonl, {len(latest)} cases"]
    for bank in meta.banks:
        lines.append(f"bank       {bank.path} ({bank.cases} cases, sha256 {bank.sha256[:12]})")
    plan = run_dir.plan()
    by_capability: dict[str, list[tuple[str, int]]] = {}
    for capability, key in ([(c.capability, c.key) for c in plan.cases] if plan else
                            [(row.capability, key) for key, row in latest.items()]):
        by_capability.setdefault(capability, []).append(key)
    record = run_dir.gate()
    thresholds = {g.capability: g.threshold for g in record.gates} if record else {}
    for capability, keys in sorted(by_capability.items()):
        report = decide_gate(capability, keys, latest,
                             threshold=thresholds.get(capability, 0.0))
        lines.append(gate_line(report))
        scores = mean_scores([latest[key].scores for key in keys if key in latest])
        if scores:
            lines.append(f"  scores: {format_scores(scores)}")
    exits = Counter(row.exit_reason or "-" for row in latest.values())
    lines.append("exit reasons: " + ", ".join(f"{k} {v}" for k, v in sorted(exits.items())))
    unresolved = [row for row in latest.values() if row.status != "resolved"]
    if unresolved:
        lines.append(f"not resolved ({len(unresolved)}):")
        for row in sorted(unresolved, key=lambda r: r.key)[:failures]:
            why = row.outcome.summary() if row.outcome else row.error
            lines.append(f"  {row.instance_id:<32} {row.status:<12} {why}")
        if len(unresolved) > failures:
            lines.append(f"  ... and {len(unresolved) - failures} more")
    return "\n".join(lines)


def list_runs(root: Path) -> str:
    """One line per run directory under ``root``, newest first."""
    runs = sorted((p for p in root.glob("*/meta.json")), key=lambda p: p.stat().st_mtime,
                  reverse=True)
    if not runs:
        return f"no runs under {root}"
    lines = []
    for meta_path in runs:
        run_dir = RunDir(meta_path.parent)
        latest = run_dir.latest()
        resolved = sum(row.status == "resolved" for row in latest.values())
        lines.append(f"{meta_path.parent.name:<48} {run_dir.meta().model:<24} "
                     f"{resolved}/{len(latest)} resolved")
    return "\n".join(lines)
