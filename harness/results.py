"""Outcomes of grading and the per-case result rows written to ``results.jsonl``."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

TestStatus = Literal["passed", "failed", "error", "skipped", "missing"]
CaseStatus = Literal["resolved", "unresolved", "infra_error"]


class Outcome(BaseModel):
    """The grader's verdict on one candidate patch."""

    resolved: bool
    patch_applied: bool
    candidate_patch: str
    fail_to_pass: dict[str, TestStatus] = Field(default_factory=dict)
    pass_to_pass: dict[str, TestStatus] = Field(default_factory=dict)
    restored_test_files: list[str] = Field(
        default_factory=list, description="test files the candidate touched, put back as they were"
    )
    log_tail: str = ""

    def summary(self) -> str:
        """One line that says why a case failed or passed."""
        if not self.candidate_patch.strip():
            return "no change submitted"
        if not self.patch_applied:
            return "candidate patch did not apply"
        bad_f2p = [t for t, s in self.fail_to_pass.items() if s != "passed"]
        bad_p2p = [t for t, s in self.pass_to_pass.items() if s not in ("passed", "skipped")]
        if not bad_f2p and not bad_p2p:
            return "resolved: all FAIL_TO_PASS and PASS_TO_PASS tests pass"
        parts = []
        if bad_f2p:
            parts.append(f"{len(bad_f2p)}/{len(self.fail_to_pass)} FAIL_TO_PASS still failing")
        if bad_p2p:
            parts.append(f"{len(bad_p2p)}/{len(self.pass_to_pass)} PASS_TO_PASS broken")
        return "; ".join(parts)


class CaseResult(BaseModel):
    """One row of ``results.jsonl``: a finished case (or one that infrastructure failed)."""

    instance_id: str
    epoch: int = 1
    capability: str
    model: str
    status: CaseStatus
    outcome: Outcome | None = None
    error: str | None = Field(default=None, description="infrastructure error, if any")
    attempts: int = 1
    seconds: float = 0.0
    turns: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    format_errors: int = 0
    echoes: int = 0
    exit_reason: str | None = None
    scores: dict[str, float] = Field(default_factory=dict, description="capability scorer")
    trajectory: str | None = Field(default=None, description="path relative to the run dir")
    worker: str = "main"
    finished_at: str = ""

    @property
    def key(self) -> tuple[str, int]:
        return (self.instance_id, self.epoch)

    @property
    def is_final(self) -> bool:
        """A verdict about the model (resolved or not), as opposed to an infrastructure error."""
        return self.status != "infra_error"
