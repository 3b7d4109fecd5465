# lib.sh: shared by the integration scripts.  Each script makes a private
# directory, counts TAP results with ok/not_ok, and cleans up by PID.
set -u

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${FEEDD:=$top_builddir/feedd}"
: "${FEEDCTL:=$top_builddir/feedctl}"
: "${PYTHON3:=python3}"
DATA=$top_srcdir/tests/data

TAP_N=0
TAP_FAILED=0
PIDS=""
T=$(mktemp -d "${TMPDIR:-/tmp}/feedd-test.XXXXXX")

# Record a passing check.
ok() {
	TAP_N=$((TAP_N + 1))
	echo "ok $TAP_N - $*"
}

# Record a failing check; the log of the step is kept for diagnosis.
not_ok() {
	TAP_N=$((TAP_N + 1))
	TAP_FAILED=$((TAP_FAILED + 1))
	echo "not ok $TAP_N - $*"
}

# check "what" command...: ok if the command succeeds.
check() {
	what=$1; shift
	if "$@" >"$T/check.out" 2>&1; then
		ok "$what"
	else
		not_ok "$what"
		sed 's/^/#   /' "$T/check.out" | head -40
	fi
}

# is "what" got want
is() {
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		not_ok "$1"
		echo "#   got:  $2"
		echo "#   want: $3"
	fi
}

# Start a background process and remember its PID for cleanup.
spawn() {
	"$@" &
	PIDS="$PIDS $!"
	LASTPID=$!
}

# Wait up to N tenths of a second for a command to succeed.
wait_for() {
	n=$1; shift
	while [ "$n" -gt 0 ]; do
		if "$@" >/dev/null 2>&1; then
			return 0
		fi
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}

# Start tests/httpd.py on a free 127.0.0.1 port; sets HTTP_PORT and BASE.
start_httpd() {
	spawn "$PYTHON3" "$top_srcdir/tests/httpd.py" --port-file "$T/httpd.port" \
	    --log "$T/httpd.log" "$@"
	HTTPD_PID=$LASTPID
	wait_for 100 test -s "$T/httpd.port" || { echo "Bail out! httpd did not start"; exit 1; }
	HTTP_PORT=$(cat "$T/httpd.port")
	BASE="http://127.0.0.1:$HTTP_PORT"
}

# hold_lock DB SECONDS: another process takes the database's write lock
# (and writes a row to the meta table) for SECONDS, then rolls back; its
# PID in LPID.
hold_lock() {
	spawn sh -c '{ echo "BEGIN IMMEDIATE;";
	    echo "INSERT INTO meta VALUES (\"locked-by-test\", 1);";
	    sleep "$1"; echo "ROLLBACK;"; } | sqlite3 "$0"' "$1" "$2"
	LPID=$LASTPID
}

cleanup() {
	for p in $PIDS; do
		kill "$p" 2>/dev/null
	done
	for p in $PIDS; do
		wait "$p" 2>/dev/null
	done
	if [ "$TAP_FAILED" -eq 0 ] && [ -z "${KEEP_TMP:-}" ]; then
		rm -rf "$T"
	else
		echo "# files kept in $T"
	fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# Print the plan; exit non-zero if anything failed.
done_testing() {
	echo "1..$TAP_N"
	[ "$TAP_FAILED" -eq 0 ]
}
