"""Policies by URI: ``oracle``, ``null``, ``replay:PATH`` (more backends register here)."""

from __future__ import annotations

from collections.abc import Callable

from harness.errors import ConfigError
from harness.policies.scripted import null_policy, oracle_policy, replay_policy
from harness.protocols import Policy
from harness.task import Task

PolicyFactory = Callable[[Task, str], Policy]

POLICIES: dict[str, PolicyFactory] = {
    "oracle": lambda task, _argument: oracle_policy(task),
    "null": lambda task, _argument: null_policy(task),
    "replay": replay_policy,
}


def split_uri(uri: str) -> tuple[str, str]:
    """``scheme:argument`` -> (scheme, argument); a bare name has an empty argument."""
    scheme, _, argument = uri.partition(":")
    if scheme not in POLICIES:
        raise ConfigError(f"unknown model {uri!r}; use one of: "
                          f"{', '.join(sorted(POLICIES))} (e.g. --model oracle, "
                          f"--model replay:runs/RUN/trajectories)")
    if scheme == "replay" and not argument:
        raise ConfigError("replay needs a path: --model replay:runs/RUN/trajectories")
    return scheme, argument


def make_policy(uri: str, task: Task) -> Policy:
    """A fresh policy for one case."""
    scheme, argument = split_uri(uri)
    return POLICIES[scheme](task, argument)


__all__ = ["POLICIES", "make_policy", "split_uri"]
