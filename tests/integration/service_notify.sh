#!/bin/sh
# service_notify.sh: feedd tells a real notify socket (sdrun.py plays
# systemd) READY=1 once its socket listens, STATUS=, RELOADING=1 then
# READY=1 around a reload (SIGHUP, also when the reload fails),
# WATCHDOG=1 while WATCHDOG_USEC is set, and STOPPING=1 on SIGTERM.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/service_lib.sh"

if ! have_systemd; then
	echo "1..0 # SKIP feedd built without libsystemd"
	exit 0
fi

mkdir "$T/www"
rss a 3 >"$T/www/a.xml"
start_httpd --dir "$T/www"
echo "$BASE/a.xml" >"$T/feeds"
: >"$T/feedd.conf"

# shellcheck disable=SC2046
spawn "$PYTHON3" "$SDRUN" --notify "$T/notify" --log "$T/notify.log" \
    --watchdog 400000 --probe "$T/feedd.sock" --pid-file "$T/feedd.pid" \
    -- "$FEEDD" $(feedd_args) 2>"$T/feedd.err"
wait_for 100 test -s "$T/feedd.pid" || { echo "Bail out! sdrun did not start"; exit 1; }
FPID=$(cat "$T/feedd.pid")
PIDS="$PIDS $FPID"

# seq_of PATTERN [N]: the line number of the Nth (default 1st) match.
seq_of() {
	grep -n -- "$1" "$T/notify.log" | sed -n "${2:-1}p" | cut -d: -f1
}

if wait_for 300 nlog_has '^READY=1$'; then
	ok "READY=1 at start"
else
	not_ok "READY=1 at start"
	sed 's/^/#   /' "$T/notify.log" "$T/feedd.err" | head -40
fi
is "the socket accepts connections when READY=1 arrives" \
    "$(grep '^PROBE=' "$T/notify.log")" "PROBE=ok"
check "feedctl talks to the daemon after READY=1" \
    "$FEEDCTL" --socket "$T/feedd.sock" version
wait_for 300 nlog_has '^STATUS=.' && ok "STATUS= sent" || not_ok "STATUS= sent"
check "STATUS= names the feeds" grep -i '^STATUS=.*feed' "$T/notify.log"
wait_for 300 nlog_has '^WATCHDOG=1$' 2 &&
    ok "WATCHDOG=1 sent repeatedly with WATCHDOG_USEC set" ||
    not_ok "WATCHDOG=1 sent repeatedly with WATCHDOG_USEC set"

# SIGHUP: RELOADING=1 (with MONOTONIC_USEC=), then READY=1 again.
kill -HUP "$FPID"
wait_for 300 nlog_has '^READY=1$' 2 && ok "READY=1 after SIGHUP" ||
    not_ok "READY=1 after SIGHUP"
check "RELOADING=1 with MONOTONIC_USEC= on SIGHUP" \
    grep '^RELOADING=1|MONOTONIC_USEC=[0-9][0-9]*$' "$T/notify.log"
r=$(seq_of '^RELOADING=1' 1)
a=$(seq_of '^READY=1$' 1)
b=$(seq_of '^READY=1$' 2)
if [ -n "$r" ] && [ -n "$b" ] && [ "$a" -lt "$r" ] && [ "$r" -lt "$b" ]; then
	ok "RELOADING=1 comes between the two READY=1"
else
	not_ok "RELOADING=1 comes between the two READY=1"
	sed 's/^/#   /' "$T/notify.log"
fi

# A second SIGHUP goes the same way.
kill -HUP "$FPID"
wait_for 300 nlog_has '^READY=1$' 3 && ok "READY=1 after a second SIGHUP" ||
    not_ok "READY=1 after a second SIGHUP"
is "RELOADING=1 for the second SIGHUP" "$(nlog_count '^RELOADING=1')" 2

# A reload that fails still ends with READY=1 (else systemd would wait).
# (A bad feedd.conf: a bad feeds-file line is only skipped, issue 13.)
printf 'interval = banana\n' >"$T/feedd.conf"
kill -HUP "$FPID"
wait_for 300 nlog_has '^READY=1$' 4 && ok "READY=1 after a failed reload" ||
    not_ok "READY=1 after a failed reload"
is "RELOADING=1 for the failed reload" "$(nlog_count '^RELOADING=1')" 3
check "the daemon still answers after the failed reload" \
    "$FEEDCTL" --socket "$T/feedd.sock" version

# A reload asked for on the socket goes the same way, and is logged.
"$FEEDCTL" --socket "$T/feedd.sock" reload >"$T/reload.out" 2>&1
is "feedctl reload of the bad file: exit 1" "$?" 1
wait_for 300 nlog_has '^READY=1$' 5 && ok "READY=1 after feedctl reload" ||
    not_ok "READY=1 after feedctl reload"
is "RELOADING=1 for feedctl reload" "$(nlog_count '^RELOADING=1')" 4
is "both failed reloads are logged with FILE:LINE" \
    "$(grep -c "reload failed.*feedd.conf:1:" "$T/feedd.err")" 2

# The watchdog keeps going.
n=$(nlog_count '^WATCHDOG=1$')
wait_for 300 nlog_has '^WATCHDOG=1$' $((n + 2)) &&
    ok "WATCHDOG=1 continues after reloads" ||
    not_ok "WATCHDOG=1 continues after reloads"

# SIGTERM: STOPPING=1, then exit 0.
kill -TERM "$FPID"
wait_for 300 nlog_has '^EXIT=' && ok "feedd exits on SIGTERM" ||
    not_ok "feedd exits on SIGTERM"
is "exit status after SIGTERM" "$(grep '^EXIT=' "$T/notify.log")" "EXIT=0"
is "STOPPING=1 sent once" "$(nlog_count '^STOPPING=1$')" 1
s=$(seq_of '^STOPPING=1$' 1)
l=$(seq_of '^READY=1$' 5)
if [ -n "$s" ] && [ -n "$l" ] && [ "$l" -lt "$s" ]; then
	ok "STOPPING=1 comes after the last READY=1"
else
	not_ok "STOPPING=1 comes after the last READY=1"
fi
is "no READY=1 after STOPPING=1" "$(nlog_count '^READY=1$')" 5

# Without WATCHDOG_USEC no WATCHDOG=1 is sent.
rm -f "$T/notify" "$T/feedd.pid"
echo "$BASE/a.xml" >"$T/feeds"
: >"$T/feedd.conf"
mv "$T/notify.log" "$T/notify.log.1"
# shellcheck disable=SC2046
spawn "$PYTHON3" "$SDRUN" --notify "$T/notify" --log "$T/notify.log" \
    --pid-file "$T/feedd.pid" -- "$FEEDD" $(feedd_args) 2>>"$T/feedd.err"
wait_for 100 test -s "$T/feedd.pid" || { echo "Bail out! sdrun did not start"; exit 1; }
FPID=$(cat "$T/feedd.pid")
PIDS="$PIDS $FPID"
wait_for 300 nlog_has '^READY=1$' && ok "READY=1 at the second start" ||
    not_ok "READY=1 at the second start"
kill -TERM "$FPID"
wait_for 300 nlog_has '^EXIT=' || true
is "no WATCHDOG=1 without WATCHDOG_USEC" "$(nlog_count '^WATCHDOG=')" 0
is "exit status after SIGTERM (second run)" \
    "$(grep '^EXIT=' "$T/notify.log")" "EXIT=0"

no_sanitizer_report "$T/feedd.err"
done_testing
