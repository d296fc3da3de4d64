"""Policies by URI: ``oracle``, ``null``, ``replay:PATH``, ``openai:URL#MODEL``."""

from __future__ import annotations

from collections.abc import Callable

from harness.errors import ConfigError
from harness.policies.hf_local import hf_policy, parse_hf_uri
from harness.policies.openai_endpoint import openai_policy, parse_target
from harness.policies.scripted import null_policy, oracle_policy, replay_policy
from harness.policies.vllm_local import parse_vllm_uri, vllm_policy
from harness.protocols import Policy
from harness.task import Task

PolicyFactory = Callable[[Task, str], Policy]

POLICIES: dict[str, PolicyFactory] = {
    "oracle": lambda task, _argument: oracle_policy(task),
    "null": lambda task, _argument: null_policy(task),
    "replay": replay_policy,
    "openai": openai_policy,
    "hf": hf_policy,
    "vllm": vllm_policy,
}


def split_uri(uri: str) -> tuple[str, str]:
    """``scheme:argument`` -> (scheme, argument); a bare name has an empty argument."""
    scheme, _, argument = uri.partition(":")
    if scheme not in POLICIES:
        raise ConfigError(f"unknown model {uri!r}; use one of: "
                          f"{', '.join(sorted(POLICIES))} (e.g. --model oracle, "
                          f"--model replay:runs/RUN/trajectories, "
                          f"--model openai:http://127.0.0.1:8000/v1#MODEL, "
                          f"--model hf:/path/to/checkpoint)")
    check = URI_CHECKS.get(scheme)
    if check is not None:
        check(argument)
    return scheme, argument


def _require_replay_path(argument: str) -> None:
    if not argument:
        raise ConfigError("replay needs a path: --model replay:runs/RUN/trajectories")


URI_CHECKS: dict[str, Callable[[str], object]] = {
    "replay": _require_replay_path,
    "openai": parse_target,
    "hf": parse_hf_uri,
    "vllm": parse_vllm_uri,
}
"""Checks run once when a URI is given, so a bad URI fails the session, not every case."""


def make_policy(uri: str, task: Task) -> Policy:
    """A fresh policy for one case."""
    scheme, argument = split_uri(uri)
    return POLICIES[scheme](task, argument)


__all__ = ["POLICIES", "make_policy", "split_uri"]
