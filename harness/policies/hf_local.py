"""``hf:`` policy: transformers generation on a local checkpoint, optionally with a PEFT adapter.

URI: ``hf:/path/to/checkpoint[?adapter=/path/to/lora&max_new_tokens=512&temperature=0&seed=0]``.
The conversation is rendered as Harmony token ids (``harness.harmony``), the
model generates until ``<|call|>`` or ``<|return|>``, and the completion is
parsed back into a turn; anything unparsable becomes a recorded format error
that the agent loop explains to the model. Needs the ``train`` extra (torch,
transformers, peft); imported only when an ``hf:`` model is asked for.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from pydantic import BaseModel, Field, ValidationError

from harness.errors import ConfigError, PolicyError
from harness.harmony import parse_completion, render_prompt
from harness.harmony.syntax import SPECIAL_TOKENS
from harness.protocols import ToolSpec
from harness.trajectory import AssistantTurn, Message


class GenerationOptions(BaseModel):
    """Query options of an ``hf:`` URI."""

    adapter: str | None = Field(default=None, description="PEFT adapter directory")
    max_new_tokens: int = Field(default=512, ge=1, description="tokens per turn")
    temperature: float = Field(default=0.0, ge=0, description="0 means greedy")
    seed: int = Field(default=0, description="sampling seed (temperature > 0)")


def parse_hf_uri(argument: str) -> tuple[Path, GenerationOptions]:
    """``/path?opt=v`` -> (checkpoint, options); raises ``ConfigError`` on a bad URI."""
    path_text, _, query = argument.partition("?")
    if not path_text:
        raise ConfigError("hf: needs a checkpoint directory: --model hf:/path/to/checkpoint")
    checkpoint = Path(path_text)
    if not (checkpoint / "config.json").is_file():
        raise ConfigError(f"hf: {checkpoint} is not a checkpoint directory (no config.json)")
    fields = {key: values[-1] for key, values in parse_qs(query, strict_parsing=False).items()}
    try:
        options = GenerationOptions.model_validate(fields)
    except ValidationError as exc:
        raise ConfigError(f"hf: bad option in {argument!r}: {exc.errors()[0]['msg']}") from exc
    if options.adapter and not Path(options.adapter).is_dir():
        raise ConfigError(f"hf: adapter {options.adapter} is not a directory")
    return checkpoint, options


@functools.cache
def load_checkpoint(checkpoint: str, adapter: str | None) -> Any:
    """The model with its adapter applied, loaded once per process.

    Prompts are tokenised by ``harness.harmony`` (o200k_harmony), so the
    checkpoint must use that vocabulary, as GPT-OSS checkpoints do.
    """
    try:
        from transformers import AutoModelForCausalLM
    except ImportError as exc:
        raise ConfigError("hf: models need the train extra: pip install -e '.[train]'") from exc
    try:
        model: Any = AutoModelForCausalLM.from_pretrained(checkpoint)
        if adapter:
            from peft import PeftModel

            model = PeftModel.from_pretrained(model, adapter)
    except (OSError, ValueError) as exc:
        raise PolicyError(f"hf: could not load {checkpoint}: {exc}") from exc
    model.eval()
    return model


class HFPolicy:
    """Generates each turn with transformers and parses it as Harmony."""

    def __init__(self, checkpoint: Path, options: GenerationOptions) -> None:
        self.checkpoint, self.options = checkpoint, options
        self.name = f"hf:{checkpoint}" + (f"?adapter={options.adapter}" if options.adapter else "")

    def next_turn(self, messages: Sequence[Message], tools: Sequence[ToolSpec]) -> AssistantTurn:
        import torch

        model = load_checkpoint(str(self.checkpoint), self.options.adapter)
        prompt = render_prompt(messages, tools).token_ids()
        stops = [SPECIAL_TOKENS["<|call|>"], SPECIAL_TOKENS["<|return|>"]]
        sampling: dict[str, Any] = {"do_sample": False}
        if self.options.temperature > 0:
            torch.manual_seed(self.options.seed)
            sampling = {"do_sample": True, "temperature": self.options.temperature}
        with torch.no_grad():
            output = model.generate(torch.tensor([prompt]),
                                    max_new_tokens=self.options.max_new_tokens,
                                    eos_token_id=stops, pad_token_id=stops[-1], **sampling)
        completion = [int(token) for token in output[0, len(prompt):]]
        turn = parse_completion(completion, tool_names=[spec.name for spec in tools])
        return turn.model_copy(update={"prompt_tokens": len(prompt),
                                       "completion_tokens": len(completion)})


def hf_policy(_task: object, argument: str) -> HFPolicy:
    checkpoint, options = parse_hf_uri(argument)
    return HFPolicy(checkpoint, options)
