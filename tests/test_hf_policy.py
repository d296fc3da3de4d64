"""The ``hf:`` policy on the tiny GPT-OSS checkpoint: real generation, Harmony in and out."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("torch", reason="needs the train extra (torch==2.13.0)")
pytest.importorskip("trl", reason="needs the train extra")

from harness.bank import load_bank
from harness.errors import ConfigError
from harness.harmony import render_conversation, validate_harmony_format
from harness.policies import split_uri
from harness.protocols import Tool
from harness.rundir import RunDir
from harness.tools import default_tools
from harness.trajectory import Trajectory
from trainers.tiny_model import save_tiny_model

REPO_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return save_tiny_model(tmp_path_factory.mktemp("tiny") / "model")


def test_bad_hf_uris_fail_when_given(checkpoint: Path, tmp_path: Path) -> None:
    assert split_uri(f"hf:{checkpoint}?max_new_tokens=8")[0] == "hf"
    for bad in ("hf:", f"hf:{tmp_path}", f"hf:{checkpoint}?max_new_tokens=0",
                f"hf:{checkpoint}?adapter=/nowhere"):
        with pytest.raises(ConfigError):
            split_uri(bad)


@pytest.mark.slow
def test_the_suite_runs_end_to_end_on_the_tiny_model(checkpoint: Path, tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    command = [sys.executable, "-m", "pytest", "suites/navigation", "-n", "2", "-p",
               "no:cacheprovider", "--model", f"hf:{checkpoint}?max_new_tokens=24",
               "--max-turns", "3", "--cases", "ledgerly-001,routekit-001,textforge-001",
               "--run-dir", str(run_dir)]
    result = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=1200)
    assert "navigation: FAIL" in result.stdout, result.stdout[-3000:]
    rows = RunDir(run_dir).results()
    assert sorted(r.instance_id for r in rows) == ["ledgerly-001", "routekit-001", "textforge-001"]
    assert all(r.status == "unresolved" and r.prompt_tokens > 0 for r in rows)
    assert all(r.completion_tokens > 0 for r in rows)
    assert sum(r.format_errors for r in rows) > 0, "a random model should emit format errors"
    for row in rows:
        assert row.trajectory is not None
        trajectory = Trajectory.model_validate_json((run_dir / row.trajectory).read_text())
        assert trajectory.format_errors == row.format_errors
        tools = [t.spec for t in default_tools_for(row.instance_id)]
        rendering = render_conversation(trajectory.messages, tools)
        assert validate_harmony_format(rendering.token_ids()) == []


def default_tools_for(instance_id: str) -> list[Tool]:
    bank = load_bank(REPO_ROOT / "suites" / "navigation" / "bank.jsonl")
    return list(default_tools(bank.by_id()[instance_id]).values())


def test_a_peft_adapter_is_applied(checkpoint: Path, tmp_path: Path) -> None:
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    from harness.policies import make_policy
    from harness.policies.hf_local import load_checkpoint
    from harness.trajectory import Message

    base = AutoModelForCausalLM.from_pretrained(checkpoint)
    lora = get_peft_model(base, LoraConfig(r=4, target_modules=["q_proj", "v_proj"],
                                           init_lora_weights=False))
    adapter = tmp_path / "adapter"
    lora.save_pretrained(adapter)
    task = load_bank(REPO_ROOT / "suites" / "navigation" / "bank.jsonl").tasks[0]
    plain = make_policy(f"hf:{checkpoint}?max_new_tokens=4", task)
    adapted = make_policy(f"hf:{checkpoint}?max_new_tokens=4&adapter={adapter}", task)
    assert str(adapter) in adapted.name
    model = load_checkpoint(str(checkpoint), str(adapter))
    assert type(model).__name__ == "PeftModel"
    messages = [Message(role="user", content="hello")]
    ids = torch.tensor([[200006, 1428, 200008, 24912, 200007, 200006, 173781]])
    with torch.no_grad():
        plain_logits = load_checkpoint(str(checkpoint), None)(ids).logits
        adapted_logits = model(ids).logits
    assert not torch.allclose(plain_logits, adapted_logits)
    for policy in (plain, adapted):
        turn = policy.next_turn(messages, [])
        assert turn.completion_tokens is not None and 1 <= turn.completion_tokens <= 4


def test_vllm_uris_say_what_to_install_where_vllm_is_absent(checkpoint: Path) -> None:
    try:
        import vllm  # noqa: F401
    except ImportError:
        with pytest.raises(ConfigError, match=r"pip install -e '\.\[vllm\]'"):
            split_uri(f"vllm:{checkpoint}")
    else:
        pytest.skip("vLLM is installed here; this test covers machines without it")
    with pytest.raises(ConfigError, match=r"no config\.json"):
        split_uri("vllm:/nowhere")
