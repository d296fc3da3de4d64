"""The files a run directory holds besides its result rows, as typed models.

``meta.json`` (``RunMeta``): what ran, how, on what, from which harness revision.
``plan.json`` (``RunPlan``): the cases the latest session collected, so the gate
can tell a case that was never recorded (a crashed worker, an interrupted run)
from one that did not run at all. ``gate.json`` (``GateRecord``): the verdicts.
Unknown keys are ignored, so runs written by other harness versions stay readable.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from harness.gate import GateReport, Key
from harness.run_config import RunConfig


class BankRecord(BaseModel):
    """A bank a run read, pinned by its content hash."""

    path: str
    sha256: str
    cases: int


class RunMeta(BaseModel):
    """``meta.json``: everything needed to reproduce or compare a run."""

    model_config = ConfigDict(extra="ignore")

    session: str = Field(description="the token of the session that created the run")
    created_at: str
    model: str = Field(description="the policy URI")
    sandbox: str
    isolation: str = Field(description="what isolated commands: bwrap, none or docker")
    config: RunConfig
    banks: list[BankRecord] = Field(default_factory=list)
    argv: list[str] = Field(default_factory=list)
    harness_version: str = ""
    harness_revision: str = Field(default="", description="git describe of the harness")
    python: str = ""
    platform: str = ""


class PlannedCase(BaseModel):
    """One collected test item of a harness suite."""

    nodeid: str
    instance_id: str
    epoch: int
    capability: str
    gate_pass_rate: float

    @property
    def key(self) -> Key:
        return (self.instance_id, self.epoch)


class RunPlan(BaseModel):
    """``plan.json``: the cases one session collected (every worker collects the same)."""

    model_config = ConfigDict(extra="ignore")

    session: str
    cases: list[PlannedCase]


class GateRecord(BaseModel):
    """``gate.json``: the session's verdicts and what they were decided on."""

    model_config = ConfigDict(extra="ignore")

    session: str = ""
    finished_at: str
    interrupted: bool = Field(default=False, description="the session ended before its end")
    lost_items: list[str] = Field(default_factory=list,
                                  description="planned test items with no recorded result")
    gates: list[GateReport]
