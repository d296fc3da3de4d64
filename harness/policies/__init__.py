"""Policies by URI ``scheme:argument``: ``oracle``, ``null``, ``replay:PATH``,
``openai:URL#MODEL``, ``hf:DIR``, ``vllm:DIR``, and any scheme another package adds.

A policy factory is a plain function ``(task, argument) -> Policy``, called once per
case. The schemes that ship with the harness are import paths in ``POLICIES``
(imported only when asked for, so ``openai:`` does not load torch); other packages
add theirs in the ``harness.policies`` entry-point group::

    [project.entry-points."harness.policies"]
    myagent = "my_package.agent:make_policy"     # --model myagent:ARGUMENT

Where a scheme's argument can be checked before any case runs, ``URI_CHECKS`` names
the check (it raises ``ConfigError``); a session runs it once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from harness.errors import ConfigError
from harness.protocols import Policy
from harness.registry import load_entry_point, load_reference, plugin_entry_points
from harness.task import Task

PolicyFactory = Callable[[Task, str], Policy]
ENTRY_POINT_GROUP = "harness.policies"

POLICIES: dict[str, str] = {
    "oracle": "harness.policies.scripted:oracle_policy",
    "null": "harness.policies.scripted:null_policy",
    "replay": "harness.policies.scripted:replay_policy",
    "openai": "harness.policies.openai_endpoint:openai_policy",
    "hf": "harness.policies.hf_local:hf_policy",
    "vllm": "harness.policies.vllm_local:vllm_policy",
}
URI_CHECKS: dict[str, str] = {
    "replay": "harness.policies.scripted:check_replay_source",
    "openai": "harness.policies.openai_endpoint:parse_target",
    "hf": "harness.policies.hf_local:parse_hf_uri",
    "vllm": "harness.policies.vllm_local:parse_vllm_uri",
}
EXAMPLES = ("--model oracle, --model replay:runs/RUN/trajectories, "
            "--model openai:http://127.0.0.1:8000/v1#MODEL, --model hf:/path/to/checkpoint")


def scheme_names() -> list[str]:
    """Every scheme this process can build a policy for, sorted."""
    return sorted({*POLICIES, *plugin_entry_points(ENTRY_POINT_GROUP)})


def split_uri(uri: str) -> tuple[str, str]:
    """``scheme:argument`` -> (scheme, argument), the argument checked where the scheme has a
    check; a bare name has an empty argument."""
    scheme, _, argument = uri.partition(":")
    if scheme not in POLICIES and scheme not in plugin_entry_points(ENTRY_POINT_GROUP):
        raise ConfigError(f"unknown model {uri!r}; use one of: {', '.join(scheme_names())} "
                          f"(e.g. {EXAMPLES})")
    if scheme in URI_CHECKS:
        check = cast(Callable[[str], object], load_reference(URI_CHECKS[scheme]))
        check(argument)
    return scheme, argument


def policy_factory(scheme: str) -> PolicyFactory:
    """The factory of ``scheme`` (shipped, or from the entry-point group)."""
    if scheme in POLICIES:
        return cast(PolicyFactory, load_reference(POLICIES[scheme]))
    point = plugin_entry_points(ENTRY_POINT_GROUP)[scheme]
    return cast(PolicyFactory, load_entry_point(point, ENTRY_POINT_GROUP))


def make_policy(uri: str, task: Task) -> Policy:
    """A fresh policy for one case."""
    scheme, argument = split_uri(uri)
    return policy_factory(scheme)(task, argument)


__all__ = ["ENTRY_POINT_GROUP", "POLICIES", "URI_CHECKS", "PolicyFactory", "make_policy",
           "policy_factory", "scheme_names", "split_uri"]
