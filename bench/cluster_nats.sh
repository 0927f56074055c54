#!/usr/bin/env bash
# NATS request latency (p50/p99) and throughput of ChannelGet on a cluster of
# 1, 2 and 3 ariadne nodes behind one nats-server (see bench/cluster_nats.js
# and bench/README.md). Installs nats-server and node_modules if missing.
#
# Environment: BENCH_NODES ("1 2 3"), BENCH_CHANNELS (20 per node),
# BENCH_CONCURRENCY (32), BENCH_DURATION_S (5), ARIADNE_BIN (build/ariadne).
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
[ -x "${ARIADNE_BIN:-$ROOT/build/ariadne}" ] || make -C "$ROOT" >&2
command -v nats-server >/dev/null 2>&1 || [ -x /usr/sbin/nats-server ] ||
	(apt-get install -y --no-install-recommends nats-server >&2)
[ -d "$ROOT/node_modules/nats" ] || (cd "$ROOT" && npm ci --no-audit --no-fund >&2)
echo "\$ BENCH_NODES=\"${BENCH_NODES:-1 2 3}\" BENCH_CHANNELS=${BENCH_CHANNELS:-20} BENCH_CONCURRENCY=${BENCH_CONCURRENCY:-32} BENCH_DURATION_S=${BENCH_DURATION_S:-5} node bench/cluster_nats.js"
echo "revision: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$ROOT" diff --quiet HEAD -- src 2>/dev/null || echo +dirty)"
exec node "$ROOT/bench/cluster_nats.js"
