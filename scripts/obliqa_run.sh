#!/usr/bin/env bash
# Run the ObliQA passage-retrieval benchmark at low CPU priority, one thread per library.
# Usage: scripts/obliqa_run.sh [SPLIT] [PROFILE] [extra `complyqa eval obliqa` options...]
# The first run embeds all 13k passages (minutes); later runs reuse the keyed index.
set -euo pipefail
cd "$(dirname "$0")/.."
SPLIT="${1:-dev}"
PROFILE="${2:-default}"
shift $(( $# > 2 ? 2 : $# ))
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}" OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 \
       NUMBA_NUM_THREADS=1 TOKENIZERS_PARALLELISM=false
exec nice -n 10 .venv/bin/complyqa eval obliqa \
    --data "${OBLIQA_DIR:-../shared/benchmarks/obliqa}" --split "$SPLIT" --profile "$PROFILE" \
    --out "runs/obliqa-$SPLIT-$PROFILE" "$@"
