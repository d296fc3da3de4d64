"""The tiny GPT-OSS factory: real architecture, exact o200k_harmony tokenizer, deterministic."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

torch = pytest.importorskip("torch", reason="needs the train extra (torch==2.13.0)")
transformers = pytest.importorskip("transformers", reason="needs the train extra")
pytest.importorskip("trl", reason="needs the train extra (TRL ships the gpt-oss template)")

from harness.harmony.vocabulary import harmony_tiktoken  # noqa: E402
from trainers.tiny_model import (  # noqa: E402
    O200K_HARMONY_SIZE,
    TinyModelSpec,
    build_model,
    build_tokenizer,
    save_tiny_model,
)

HARMONY_IDS = {"<|return|>": 200002, "<|constrain|>": 200003, "<|channel|>": 200005,
               "<|start|>": 200006, "<|end|>": 200007, "<|message|>": 200008, "<|call|>": 200012}


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return save_tiny_model(tmp_path_factory.mktemp("tiny") / "model")


def test_special_tokens_have_the_harmony_ids() -> None:
    tokenizer = build_tokenizer()
    assert len(tokenizer) == O200K_HARMONY_SIZE
    assert {t: tokenizer.convert_tokens_to_ids(t) for t in HARMONY_IDS} == HARMONY_IDS


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=200) | st.lists(st.sampled_from(
    ["<|start|>", "<|channel|>", "<|return|>", "call", "<|", "|>", " x"])).map("".join))
def test_tokenizer_matches_tiktoken_o200k_harmony(text: str) -> None:
    # transformers reads special-token strings in text as the special tokens.
    expected = harmony_tiktoken().encode(text, allowed_special="all")
    assert build_tokenizer().encode(text, add_special_tokens=False) == expected


def test_the_same_seed_builds_the_same_weights() -> None:
    first = build_model(TinyModelSpec(seed=3)).state_dict()
    again = build_model(TinyModelSpec(seed=3)).state_dict()
    other = build_model(TinyModelSpec(seed=4)).state_dict()
    assert all(torch.equal(first[k], again[k]) for k in first)
    assert not all(torch.equal(first[k], other[k]) for k in first)


def test_saved_checkpoint_loads_renders_chats_and_generates(checkpoint: Path) -> None:
    model = transformers.AutoModelForCausalLM.from_pretrained(checkpoint)
    tokenizer = transformers.AutoTokenizer.from_pretrained(checkpoint)
    assert type(model).__name__ == "GptOssForCausalLM"
    assert model.config.num_local_experts == 4 and model.config.head_dim == 64
    prompt = tokenizer.apply_chat_template([{"role": "user", "content": "hi"}],
                                           add_generation_prompt=True, tokenize=False)
    assert prompt.endswith("<|start|>assistant") and "<|start|>user<|message|>hi<|end|>" in prompt
    ids = tokenizer(prompt, return_tensors="pt", add_special_tokens=False).input_ids
    out = model.generate(ids, max_new_tokens=5, do_sample=False)
    assert out.shape[1] == ids.shape[1] + 5
