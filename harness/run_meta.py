"""What a run records about itself in ``meta.json`` (``RunMeta``)."""

from __future__ import annotations

import platform
import subprocess
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from harness.bank import Bank
from harness.run_config import RunConfig
from harness.run_records import BankRecord, RunMeta


def git_revision(directory: Path) -> str:
    """The harness checkout's commit (with ``-dirty``), or ``unknown`` outside git."""
    try:
        result = subprocess.run(["git", "describe", "--always", "--dirty", "--abbrev=40"],
                                cwd=directory, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    return result.stdout.strip() if result.returncode == 0 else "unknown"


def run_metadata(config: RunConfig, session: str, argv: Sequence[str],
                 banks: Sequence[Bank]) -> RunMeta:
    """Everything needed to reproduce or compare a run."""
    return RunMeta(
        session=session, created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        model=config.model, sandbox=config.sandbox, isolation=config.isolation_used,
        config=config, argv=list(argv),
        banks=[BankRecord(path=str(b.path), sha256=b.sha256, cases=len(b.tasks)) for b in banks],
        harness_version=metadata.version("agent-eval-harness"),
        harness_revision=git_revision(Path(__file__).parent),
        python=sys.version.split()[0], platform=platform.platform())
