# Sourced by bench/*.sh: start build/ariadne on a free loopback port with its
# own temporary configuration directory, and always stop it and remove the
# directory when the script exits (normally, on error or on Ctrl-C).
#
# After bench_start_server:  BENCH_PORT, BENCH_PID, BENCH_TMP, BENCH_URL.
# Not executable on purpose: `make bench` runs only executable bench/*.sh.

BENCH_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
ARIADNE_BIN=${ARIADNE_BIN:-$BENCH_ROOT/build/ariadne}
BENCH_TMP=
BENCH_PID=
BENCH_PORT=
BENCH_URL=
BENCH_AUTH=asterisk:asterisk

bench_cleanup() {
	local rc=$?
	if [ -n "$BENCH_PID" ] && kill -0 "$BENCH_PID" 2>/dev/null; then
		kill -TERM "$BENCH_PID" 2>/dev/null
		for _ in $(seq 1 100); do
			kill -0 "$BENCH_PID" 2>/dev/null || break
			sleep 0.1
		done
		if kill -0 "$BENCH_PID" 2>/dev/null; then
			echo "bench: ariadne (pid $BENCH_PID) did not stop within 10 s of SIGTERM; killing it" >&2
			kill -KILL "$BENCH_PID" 2>/dev/null
		fi
		wait "$BENCH_PID" 2>/dev/null
		local st=$?
		[ "$st" -ne 0 ] && echo "bench: ariadne exited with status $st (log: kept below)" >&2 \
			&& tail -n 30 "$BENCH_TMP/ariadne.log" >&2
	fi
	BENCH_PID=
	[ -n "$BENCH_TMP" ] && [ -z "${ARIADNE_KEEP_TMP:-}" ] && rm -rf "$BENCH_TMP"
	BENCH_TMP=
	return $rc
}
trap bench_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# A port nobody listens on right now (the kernel picks it; 8088 never).
bench_free_port() {
	node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close();})'
}

bench_build() {
	if [ ! -x "$ARIADNE_BIN" ]; then
		echo "bench: $ARIADNE_BIN missing; running make" >&2
		make -C "$BENCH_ROOT" >&2 || exit 1
	fi
}

# Install a Debian package if its command is missing (the bench scripts are run as root).
bench_need() { # command package
	command -v "$1" >/dev/null 2>&1 && return 0
	echo "bench: installing $2 (apt-get)" >&2
	local sudo=
	[ "$(id -u)" -ne 0 ] && sudo=sudo
	$sudo apt-get install -y "$2" >/dev/null 2>&1 ||
		{ $sudo apt-get update >/dev/null 2>&1 && $sudo apt-get install -y "$2" >/dev/null 2>&1; } ||
		{ echo "bench: could not install $2" >&2; exit 1; }
}

# $1 (optional): a function that picks more ports and writes more files into
# $BENCH_TMP/etc; it is called again on every start attempt.
bench_start_server() {
	local extra=${1:-}
	bench_build
	BENCH_TMP=$(mktemp -d "${TMPDIR:-/tmp}/ariadne-bench-XXXXXX")
	mkdir -p "$BENCH_TMP/etc" "$BENCH_TMP/log" "$BENCH_TMP/run" "$BENCH_TMP/data"
	local attempt
	for attempt in 1 2 3; do
		BENCH_PORT=$(bench_free_port)
		cat > "$BENCH_TMP/etc/ariadne.conf" <<CONF
[directories]
astlogdir = $BENCH_TMP/log
astrundir = $BENCH_TMP/run
astdatadir = $BENCH_TMP/data
[options]
verbose = ${BENCH_VERBOSE:-3}
highpriority = ${BENCH_HIGHPRIORITY:-no}
sendthread = ${BENCH_SENDTHREAD:-auto}
${BENCH_SENDPACING:+sendpacing = $BENCH_SENDPACING}
${BENCH_TRANSMIT_SILENCE:+transmit_silence = $BENCH_TRANSMIT_SILENCE}
CONF
		cat > "$BENCH_TMP/etc/http.conf" <<CONF
[general]
enabled = yes
bindaddr = 127.0.0.1
bindport = $BENCH_PORT
CONF
		[ -z "$extra" ] || "$extra"
		"$ARIADNE_BIN" -C "$BENCH_TMP/etc" -f >"$BENCH_TMP/ariadne.log" 2>&1 &
		BENCH_PID=$!
		BENCH_URL=http://127.0.0.1:$BENCH_PORT
		local i
		for i in $(seq 1 100); do
			kill -0 "$BENCH_PID" 2>/dev/null || break
			if curl -fsS -o /dev/null -u "$BENCH_AUTH" "$BENCH_URL/ari/asterisk/ping" 2>/dev/null; then
				return 0
			fi
			sleep 0.1
		done
		if kill -0 "$BENCH_PID" 2>/dev/null; then
			echo "bench: ariadne not ready on port $BENCH_PORT within 10 s" >&2
			tail -n 30 "$BENCH_TMP/ariadne.log" >&2
			exit 1
		fi
		wait "$BENCH_PID" 2>/dev/null
		BENCH_PID=
		grep -qiE 'in use|EADDRINUSE' "$BENCH_TMP/ariadne.log" || break
	done
	echo "bench: ariadne failed to start" >&2
	tail -n 30 "$BENCH_TMP/ariadne.log" >&2
	exit 1
}

# Resident set size of the server in kB.
bench_rss_kb() {
	awk '/^VmRSS:/ { print $2 }' "/proc/$BENCH_PID/status"
}

# utime + stime of ariadne in clock ticks.
bench_cpu_ticks() { # [pid] (default: ariadne's)
	awk '{ print $14 + $15 }' "/proc/${1:-$BENCH_PID}/stat"
}

# The highest RSS ariadne has had since it started (the kernel's VmHWM).
bench_peak_rss_kb() {
	awk '/^VmHWM:/ { print $2 }' "/proc/$BENCH_PID/status"
}

bench_machine() {
	echo "date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
	echo "machine: $(nproc) cores, $(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo), $(awk '/MemTotal/ { printf "%.1f GiB RAM", $2/1048576 }' /proc/meminfo), $(uname -sr)"
	echo "ariadne: $("$ARIADNE_BIN" --version 2>&1 | head -n1) ($ARIADNE_BIN), git $(git -C "$BENCH_ROOT" rev-parse --short HEAD 2>/dev/null)$(git -C "$BENCH_ROOT" diff --quiet HEAD -- src 2>/dev/null || echo '+dirty')"
}
