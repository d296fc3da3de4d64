"""How a session runs its cases: one typed configuration, recorded in ``meta.json``."""

from __future__ import annotations

from pydantic import BaseModel, Field

from harness.agent import AgentBudget
from harness.context import ContextConfig
from harness.sandbox.backends import SandboxKind
from harness.sandbox.limits import Limits
from harness.sandbox.local import Isolation


class RunConfig(BaseModel):
    """How cases are run; one per session, shared by all cases."""

    model: str = Field(description="policy URI: oracle, null, replay:PATH, ...")
    sandbox: SandboxKind = Field(default="local", description="sandbox backend: local or docker")
    isolation: Isolation = Field(default="none", description="bwrap or none (local sandbox)")
    budget: AgentBudget = Field(default_factory=AgentBudget)
    context: ContextConfig = Field(default_factory=ContextConfig)
    grading_timeout: float = Field(default=900.0, gt=0, description="seconds for the hidden tests")
    infra_retries: int = Field(default=2, ge=0, description="retries after infrastructure errors")
    limits: Limits = Field(default_factory=Limits, description="each case's processes, "
                           "memory, workspace and /tmp, on either backend")

    @property
    def isolation_used(self) -> str:
        """What isolates commands: the container for docker, else the local isolation."""
        return "docker" if self.sandbox == "docker" else self.isolation
