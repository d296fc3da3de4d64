"""Supervised examples from episodes: the formatter every capability can start from."""

from __future__ import annotations

from collections.abc import Sequence

from harness.protocols import ToolSpec
from harness.task import Task
from harness.trajectory import SFTExample, Trajectory


def conversation_example(task: Task, trajectory: Trajectory,
                         tools: Sequence[ToolSpec]) -> SFTExample:
    """The whole episode in TRL's conversational form, with the tools it was offered."""
    from harness.harmony.hf import to_hf_messages  # the Harmony package loads the vocabulary

    return SFTExample(instance_id=task.instance_id, capability=task.capability,
                      messages=to_hf_messages(trajectory.messages),
                      tools=[spec.openai_schema() for spec in tools])
