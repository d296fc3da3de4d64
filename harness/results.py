"""Outcomes of grading and the per-case result rows written to ``results.jsonl``."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

TestStatus = Literal["passed", "failed", "error", "skipped", "missing"]
CaseStatus = Literal["resolved", "unresolved", "infra_error"]
FailureKind = Literal["model", "tampering", "timeout", "resource_limit"]
"""Why an unresolved case failed: the model's changes or answer were wrong (``model``), it
tried to fool the grader (``tampering``), or it ran out of time or of a resource."""


class Submission(BaseModel):
    """What an episode hands to the grader, saved with its trajectory so that grading can be
    repeated without running the episode again."""

    patch: str = Field(default="", description="the workspace's diff against the base commit")
    answer: str = Field(default="", description="the episode's last final answer ('' if none)")
    problem: str = Field(default="", description="why the workspace could not be read as a "
                         "patch (the case broke git, or the change is too large): the model's "
                         "doing")


class Outcome(BaseModel):
    """The grader's verdict on one candidate patch, or on the final answer of an answer case."""

    resolved: bool
    patch_applied: bool = Field(description="the candidate patch applied (False for an "
                                            "answer case: no patch is graded)")
    candidate_patch: str
    failure_kind: FailureKind | None = Field(default=None, description="unresolved: why")
    failure: str = Field(default="", description="unresolved: a reason beyond the test "
                                                 "statuses (the runner broke, a timeout, ...)")
    tampering: list[str] = Field(default_factory=list, description="what gave away an attempt "
                                 "to fool the grader (such a case is never resolved)")
    dropped: list[str] = Field(default_factory=list, description="candidate changes the grader "
                               "put back before running anything: test runner configuration, "
                               "conftest files, modules that shadow the runner")
    flags: list[str] = Field(default_factory=list, description="suspicious lines the static "
                             "screen found in the candidate's changes (recorded, not judged)")
    official_report: dict[str, Any] | None = Field(
        default=None, description="SWE-bench-family rows: the swebench package's report of the "
        "instance (what its harness writes to report.json), as it returned it")
    disagreements: list[str] = Field(default_factory=list, description="where the official "
                                     "log parser is known to misread this log (the official "
                                     "verdict is kept)")
    fail_to_pass: dict[str, TestStatus] = Field(default_factory=dict)
    pass_to_pass: dict[str, TestStatus] = Field(default_factory=dict)
    restored_test_files: list[str] = Field(
        default_factory=list, description="test files the candidate touched, put back as they were"
    )
    log_tail: str = ""
    answer: str | None = Field(default=None, description="answer case: the final answer graded "
                                                         "(its first 4000 characters)")
    scores: dict[str, float] = Field(
        default_factory=dict, description="the grader's own measures in [0, 1] (answer grader: "
        "answer_precision, answer_recall)")
    answer_missing: list[str] = Field(default_factory=list,
                                      description="answer case: expected locations not named")
    answer_extra: list[str] = Field(default_factory=list,
                                    description="answer case: named locations not expected")

    def summary(self) -> str:
        """One line that says why a case failed or passed."""
        if self.tampering:
            return f"tampering: {self.tampering[0]}"
        if self.failure:
            return self.failure
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
    failure_kind: FailureKind | None = Field(default=None, description="unresolved: model, "
                                             "tampering, timeout or resource_limit")
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
