"""The navigation suite against a real vLLM CPU server through the ``openai:`` policy."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from harness.rundir import RunDir

REPO_ROOT = Path(__file__).resolve().parents[2]
CASES = ["ledgerly-001", "routekit-001", "textforge-001"]


def test_the_suite_runs_end_to_end_against_vllm(vllm_model_uri: str, tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    model = vllm_model_uri
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "suites/navigation", "-p", "no:cacheprovider",
         "--model", model, "--max-turns", "3", "--cases", ",".join(CASES),
         "--run-dir", str(run_dir)],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=1800)
    assert "harness gate" in result.stdout, result.stdout[-3000:]
    rows = RunDir(run_dir).results()
    assert sorted(row.instance_id for row in rows) == CASES
    assert all(row.status != "infra_error" for row in rows), [r.error for r in rows]
    assert all(row.prompt_tokens > 0 and row.completion_tokens > 0 for row in rows)
    assert all(row.model == model for row in rows)
