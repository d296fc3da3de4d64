"""Outcomes of grading and the per-case result rows written to ``results.jsonl``."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

TestStatus = Literal["passed", "failed", "error", "skipped", "missing"]
CaseStatus = Literal["resolved", "unresolved", "infra_error"]


class Outcome(BaseModel):
    """The grader's verdict on one candidate patch, or on the final answer of an answer case."""

    resolved: bool
    patch_applied: bool = Field(description="the candidate patch applied (False for an "
                                            "answer case: no patch is graded)")
    candidate_patch: str
    fail_to_pass: dict[str, TestStatus] = Field(default_factory=dict)
    pass_to_pass: dict[str, TestStatus] = Field(default_factory=dict)
    restored_test_files: list[str] = Field(
        default_factory=list, description="test files the candidate touched, put back as they were"
    )
    log_tail: str = ""
    answer: str | None = Field(default=None, description="answer case: the final answer graded "
                                                         "(its first 4000 characters)")
    answer_precision: float | None = Field(
        default=None, description="answer case: share of the named locations that are expected")
    answer_recall: float | None = Field(
        default=None, description="answer case: share of the expected locations named")
    answer_missing: list[str] = Field(default_factory=list,
                                      description="answer case: expected locations not named")
    answer_extra: list[str] = Field(default_factory=list,
                                    description="answer case: named locations not expected")

    def summary(self) -> str:
        """One line that says why a case failed or passed."""
        if self.answer is not None:
            return self._answer_summary()
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

    def _answer_summary(self) -> str:
        if self.resolved:
            return "resolved: the final answer names exactly the expected locations"
        if not (self.answer or "").strip():
            return "no final answer given"
        return (f"final answer misses {len(self.answer_missing)} expected location(s) and "
                f"names {len(self.answer_extra)} wrong one(s)")


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
