"""A tiny GPT-OSS model for CPU tests, demos and trainer smoke runs.

The real architecture (``GptOssForCausalLM``: mixture-of-experts MLP, attention
sinks, alternating sliding/full attention) with a few layers and experts, the
exact o200k_harmony tokenizer (built offline from the o200k_base vocabulary
with transformers' tiktoken converter) and the gpt-oss chat template that TRL
ships. Weights are random but deterministic from the seed: two builds with the
same spec and seed are identical.

Usage: python -m trainers.tiny_model OUT_DIR [--seed 0] [--layers 2] [--experts 4]
"""

from __future__ import annotations

import argparse
import functools
import json
from dataclasses import asdict, dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from harness.errors import ConfigError
from harness.harmony.vocabulary import ensure_vocabulary, harmony_tiktoken

O200K_HARMONY_SIZE = 201_088


@dataclass(frozen=True)
class TinyModelSpec:
    """Shape of the tiny model; ``head_dim`` stays 64 (vLLM's CPU attention rejects 16)."""

    layers: int = 2
    experts: int = 4
    experts_per_token: int = 2
    hidden: int = 64
    intermediate: int = 64
    heads: int = 2
    kv_heads: int = 1
    head_dim: int = 64
    max_positions: int = 4096
    sliding_window: int = 128
    seed: int = 0


def _require_training_stack() -> None:
    try:
        import torch  # noqa: F401
        import transformers  # noqa: F401
    except ImportError as exc:
        raise ConfigError("the tiny model needs the train extra: "
                          "pip install -e '.[train]' (torch==2.13.0, transformers)") from exc


def harmony_special_tokens() -> list[str]:
    """The o200k_harmony special tokens in id order, one name per id (199998..201087)."""
    encoding = harmony_tiktoken()
    by_id: dict[int, str] = {}
    for name, token_id in sorted(encoding._special_tokens.items(), key=lambda kv: kv[1]):
        if token_id not in by_id or by_id[token_id].startswith("<|reserved_"):
            by_id[token_id] = name
    first = min(by_id)
    if sorted(by_id) != list(range(first, first + len(by_id))):
        raise ConfigError("o200k_harmony special token ids are not contiguous")
    return [by_id[token_id] for token_id in sorted(by_id)]


def gpt_oss_chat_template() -> str:
    """The gpt-oss chat template shipped with TRL (``trl/chat_templates/gptoss.jinja``)."""
    try:
        return (resources.files("trl") / "chat_templates" / "gptoss.jinja").read_text()
    except (ModuleNotFoundError, FileNotFoundError) as exc:
        raise ConfigError("the gpt-oss chat template comes with TRL: pip install -e '.[train]'"
                          ) from exc


@functools.cache
def build_tokenizer() -> Any:
    """The exact o200k_harmony tokenizer as a transformers fast tokenizer."""
    _require_training_stack()
    from transformers import PreTrainedTokenizerFast
    from transformers.convert_slow_tokenizer import TikTokenConverter

    specials = harmony_special_tokens()
    converted = TikTokenConverter(vocab_file=str(ensure_vocabulary()),
                                  pattern=harmony_tiktoken()._pat_str,
                                  extra_special_tokens=specials).converted()
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=converted, bos_token="<|startoftext|>", eos_token="<|return|>",
        pad_token="<|endoftext|>", additional_special_tokens=[
            t for t in specials if not t.startswith("<|reserved_")])
    tokenizer.chat_template = gpt_oss_chat_template()
    if len(tokenizer) != O200K_HARMONY_SIZE:
        raise ConfigError(f"built a tokenizer of {len(tokenizer)} tokens, "
                          f"expected {O200K_HARMONY_SIZE}")
    return tokenizer


def build_model(spec: TinyModelSpec) -> Any:
    """A randomly initialised GptOssForCausalLM, deterministic from ``spec.seed``."""
    _require_training_stack()
    import torch
    from transformers import GptOssConfig, GptOssForCausalLM

    tokenizer = build_tokenizer()
    config = GptOssConfig(
        vocab_size=O200K_HARMONY_SIZE, hidden_size=spec.hidden,
        intermediate_size=spec.intermediate, num_hidden_layers=spec.layers,
        num_local_experts=spec.experts, num_experts_per_tok=spec.experts_per_token,
        num_attention_heads=spec.heads, num_key_value_heads=spec.kv_heads,
        head_dim=spec.head_dim, max_position_embeddings=spec.max_positions,
        sliding_window=spec.sliding_window,
        layer_types=["sliding_attention" if i % 2 == 0 else "full_attention"
                     for i in range(spec.layers)],
        pad_token_id=tokenizer.pad_token_id, eos_token_id=tokenizer.eos_token_id,
        bos_token_id=tokenizer.bos_token_id)
    torch.manual_seed(spec.seed)
    model = GptOssForCausalLM(config)
    model.eval()
    return model


def save_tiny_model(out_dir: Path, spec: TinyModelSpec = TinyModelSpec()) -> Path:
    """Build and save model, tokenizer and chat template to ``out_dir`` (a checkpoint dir)."""
    model = build_model(spec)
    out_dir.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out_dir)
    build_tokenizer().save_pretrained(out_dir)
    (out_dir / "tiny_model_spec.json").write_text(
        json.dumps(asdict(spec), indent=2, sort_keys=True))
    return out_dir


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m trainers.tiny_model", description=__doc__.split("\n\n")[0],
        epilog="example: python -m trainers.tiny_model models/tiny-gpt-oss --seed 0")
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--layers", type=int, default=2)
    parser.add_argument("--experts", type=int, default=4)
    args = parser.parse_args(argv)
    path = save_tiny_model(args.out_dir, TinyModelSpec(layers=args.layers, experts=args.experts,
                                                       seed=args.seed))
    print(f"saved a tiny GPT-OSS model to {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
