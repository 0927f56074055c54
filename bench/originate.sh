#!/usr/bin/env bash
# Originate benchmark: Local channel pairs through Stasis (see bench/originate.js
# and bench/README.md). Builds ariadne and installs node_modules if missing,
# then runs the node script, which starts and stops its own server.
#
# Environment: BENCH_CALLS (5000), BENCH_CONCURRENCY (50), BENCH_HOLD (1000),
# BENCH_WARMUP (200), BENCH_TIMEOUT_S (100), ARIADNE_BIN (build/ariadne).
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
[ -x "${ARIADNE_BIN:-$ROOT/build/ariadne}" ] || make -C "$ROOT" >&2
[ -d "$ROOT/node_modules/ws" ] || (cd "$ROOT" && npm ci --no-audit --no-fund >&2)
echo "\$ BENCH_CALLS=${BENCH_CALLS:-5000} BENCH_CONCURRENCY=${BENCH_CONCURRENCY:-50} BENCH_HOLD=${BENCH_HOLD:-1000} node bench/originate.js"
exec node "$ROOT/bench/originate.js"
