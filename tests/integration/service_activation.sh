#!/bin/sh
# service_activation.sh: socket activation as systemd does it.  sdrun.py
# binds and listens on a Unix socket, then starts feedd with it as fd 3,
# LISTEN_FDS=1 and LISTEN_PID=<feedd's pid>; feedctl must reach feedd
# through it, and feedd must neither recreate nor remove the socket file.
# A socket of the wrong type, or more than one, is refused with a warning
# and feedd makes its own socket.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/service_lib.sh"

if ! have_systemd; then
	echo "1..0 # SKIP feedd built without libsystemd"
	exit 0
fi

mkdir "$T/www"
rss a 2 >"$T/www/a.xml"
start_httpd --dir "$T/www"
echo "$BASE/a.xml" >"$T/feeds"
: >"$T/feedd.conf"

# start_sdrun ARGS...: start feedd under sdrun.py; sets FPID, SDPID.
start_sdrun() {
	rm -f "$T/feedd.pid" "$T/notify"
	: >"$T/notify.log"
	# shellcheck disable=SC2046
	spawn "$PYTHON3" "$SDRUN" --notify "$T/notify" --log "$T/notify.log" \
	    --pid-file "$T/feedd.pid" "$@" 2>>"$T/feedd.err"
	SDPID=$LASTPID
	wait_for 100 test -s "$T/feedd.pid" ||
	    { echo "Bail out! sdrun did not start"; exit 1; }
	FPID=$(cat "$T/feedd.pid")
	PIDS="$PIDS $FPID"
}

# stop_sdrun: SIGTERM feedd and wait for it; sets RC.
stop_sdrun() {
	kill -TERM "$FPID"
	wait_for 300 gone "$SDPID" || kill -KILL "$FPID"
	wait "$SDPID"
	RC=$?
}

# 1. One listening stream socket: feedd takes it.
: >"$T/feedd.err"
# shellcheck disable=SC2046
start_sdrun --listen "$T/feedd.sock" -- "$FEEDD" $(feedd_args)
ino=$(stat -c %i "$T/feedd.sock")
wait_for 300 nlog_has '^READY=1$' && ok "READY=1 with a passed socket" ||
    { not_ok "READY=1 with a passed socket"; sed 's/^/#   /' "$T/feedd.err"; }
check "feedctl version through the passed socket" \
    "$FEEDCTL" --socket "$T/feedd.sock" version
if wait_for 300 sh -c "'$FEEDCTL' --socket '$T/feedd.sock' --json items |
    grep -q 'a item 2'"; then
	ok "feedctl lists the polled items through the passed socket"
else
	not_ok "feedctl lists the polled items through the passed socket"
fi
is "the socket file is the one passed (same inode)" \
    "$(stat -c %i "$T/feedd.sock" 2>&1)" "$ino"
if grep -qi 'socket activation' "$T/feedd.err"; then
	not_ok "no socket activation warning"
	sed 's/^/#   /' "$T/feedd.err"
else
	ok "no socket activation warning"
fi
stop_sdrun
is "exit status after SIGTERM" "$RC" 0
# systemd owns the socket file: feedd leaves it for the next start.
is "the socket file is left in place at exit (same inode)" \
    "$(stat -c %i "$T/feedd.sock" 2>&1)" "$ino"

# 2. A datagram socket is the wrong type: refused, feedd makes its own.
rm -f "$T/feedd.sock"
: >"$T/feedd.err"
# shellcheck disable=SC2046
start_sdrun --listen-dgram "$T/dgram.sock" -- "$FEEDD" $(feedd_args)
wait_for 300 nlog_has '^READY=1$' && ok "READY=1 with a wrong socket passed" ||
    not_ok "READY=1 with a wrong socket passed"
check "a datagram socket is refused with a warning" \
    grep -i 'warning.*socket activation' "$T/feedd.err"
check "feedd made its own socket instead" \
    "$FEEDCTL" --socket "$T/feedd.sock" version
stop_sdrun
is "exit status after SIGTERM (wrong type)" "$RC" 0

# 3. Two sockets: more than feedd takes; refused, feedd makes its own.
rm -f "$T/feedd.sock"
: >"$T/feedd.err"
# shellcheck disable=SC2046
start_sdrun --listen "$T/other.sock" --listen-count 2 \
    -- "$FEEDD" $(feedd_args)
wait_for 300 nlog_has '^READY=1$' && ok "READY=1 with two sockets passed" ||
    not_ok "READY=1 with two sockets passed"
check "two sockets are refused with a warning" \
    grep -i 'warning.*socket activation' "$T/feedd.err"
check "feedd made its own socket instead of two" \
    "$FEEDCTL" --socket "$T/feedd.sock" version
stop_sdrun
is "exit status after SIGTERM (two sockets)" "$RC" 0

no_sanitizer_report "$T/feedd.err"
done_testing
