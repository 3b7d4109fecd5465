#!/bin/sh
# daemon_run.sh: feedd as a daemon.  -n checks the configuration; the
# daemon polls on its own, refuses a second feedd on its database, reloads
# on SIGHUP (added feeds start, removed ones stop, a broken file is
# refused and the running configuration kept), stops cleanly on SIGTERM,
# and after a restart does not poll again before the feed is due.
. "$(dirname "$0")/lib.sh"

command -v sqlite3 >/dev/null 2>&1 || { echo "1..0 # SKIP no sqlite3"; exit 0; }

q() { sqlite3 "$T/feedd.db" "$1"; }
hits() { grep -c "\"path\": \"$1\"" "$T/httpd.log"; }
items_of() { q "SELECT count(*) FROM items i JOIN feeds f ON f.id = i.feed_id
    WHERE f.url = '$1'"; }
has_items() { [ "$(items_of "$1")" -gt 0 ]; }

for n in a b; do
	cat > "$T/$n.xml" <<XML
<?xml version="1.0"?>
<rss version="2.0"><channel><title>Feed $n</title>
<item><guid>$n-1</guid><title>First of $n</title></item>
<item><guid>$n-2</guid><title>Second of $n</title></item>
</channel></rss>
XML
done
cat > "$T/script.json" <<'JSON'
{"/a.xml": {"body_file": "a.xml", "etag": "\"a\""},
 "/slow.xml": {"delay": 30, "log_early": true, "body_file": "a.xml"},
 "/b.xml": {"body_file": "b.xml", "etag": "\"b\""}}
JSON
start_httpd --script "$T/script.json"
echo "$BASE/a.xml" > "$T/feeds"
cat > "$T/feedd.conf" <<EOF2
# test configuration
host-conns = 4
host-delay = 0s
EOF2
set -- --config "$T/feedd.conf" --feeds "$T/feeds" --db "$T/feedd.db" \
    --socket "$T/feedd.sock"

# -n / --check, --version, bad flags.
out=$("$FEEDD" -n "$@" 2>&1); rc=$?
is "-n: exit 0" "$rc" 0
is "-n: configuration OK" "$out" "configuration OK"
"$FEEDD" -n -v "$@" >"$T/nv.out" 2>/dev/null
check "-n -v prints the feeds" grep -qF "$BASE/a.xml" "$T/nv.out"
printf '%s\n' "$BASE/a.xml" "ftp://example.org/feed" > "$T/bad-feeds"
"$FEEDD" --check --config "$T/feedd.conf" --feeds "$T/bad-feeds" \
    --db "$T/feedd.db" 2>"$T/check.err"
is "-n with a bad feeds file: exit 1" "$?" 1
check "-n names FILE:LINE" grep -qF "$T/bad-feeds:2:" "$T/check.err"
"$FEEDD" -n "$@" --interval banana 2>"$T/check.err"
is "bad flag value: exit 1" "$?" 1
check "bad flag value named" grep -q -- "--interval" "$T/check.err"
"$FEEDD" --no-such-flag x "$@" 2>/dev/null
is "unknown flag: exit 1" "$?" 1
v=$("$FEEDD" --version)
case $v in
"feedd "[0-9]*) ok "--version ($v)" ;;
*) not_ok "--version"; echo "#   got: $v" ;;
esac
test ! -e "$T/feedd.db"
is "-n touches no database" "$?" 0

# start_daemon ARGS: feedd in the foreground, its log in $T/daemon.err.
start_daemon() {
	spawn sh -c 'f=$1; shift; exec "$@" 2>>"$f"' sh "$T/daemon.err" \
	    "$FEEDD" --foreground "$@"
	DPID=$LASTPID
}

# The daemon polls by itself.
start_daemon -v "$@"
wait_for 100 has_items "$BASE/a.xml"
is "daemon polled the feed" "$(items_of "$BASE/a.xml")" 2
is "next fetch is in the future" "$(q "SELECT next_fetch > strftime('%s')
    FROM feeds WHERE url = '$BASE/a.xml'")" 1
wait_for 50 test -S "$T/feedd.sock"
check "socket is listening" test -S "$T/feedd.sock"

# A second feedd on the same database is refused.
"$FEEDD" --foreground "$@" --socket "$T/other.sock" 2>"$T/second.err"
is "second daemon: exit 1" "$?" 1
check "second daemon: names the database and the pid" \
    grep -qF "$T/feedd.db: database in use by another feedd (pid $DPID)" \
    "$T/second.err"
"$FEEDD" --once "$@" 2>"$T/once.err"
is "--once while the daemon runs: exit 1" "$?" 1
check "--once suggests feedctl refresh" grep -q "feedctl refresh" \
    "$T/once.err"

# SIGHUP: an added feed starts.
printf '%s\n' "$BASE/a.xml" "$BASE/b.xml \"~Bee\"" > "$T/feeds"
kill -HUP "$DPID"
wait_for 100 has_items "$BASE/b.xml"
is "reload: the added feed is polled" "$(items_of "$BASE/b.xml")" 2
is "reload: its title from the feeds file" \
    "$(q "SELECT conf_title FROM feeds WHERE url = '$BASE/b.xml'")" Bee
is "reload: the kept feed was not polled again" "$(hits /a.xml)" 1

# SIGHUP with a broken line: skipped, the other lines apply, the daemon
# goes on.
printf '%s\n' "$BASE/a.xml" "$BASE/b.xml" "gopher://x/ broken" > "$T/feeds"
kill -HUP "$DPID"
sleep 0.5
check "bad reload: the daemon still runs" kill -0 "$DPID"
is "bad reload: both feeds still active" \
    "$(q 'SELECT count(*) FROM feeds WHERE active = 1')" 2

# SIGHUP: a removed feed stops.
echo "$BASE/b.xml \"~Bee\"" > "$T/feeds"
kill -HUP "$DPID"
inactive_a() { [ "$(q "SELECT active FROM feeds
    WHERE url = '$BASE/a.xml'")" = 0 ]; }
wait_for 100 inactive_a
is "reload: the removed feed is inactive" \
    "$(q "SELECT active FROM feeds WHERE url = '$BASE/a.xml'")" 0
is "reload: its items are kept" "$(items_of "$BASE/a.xml")" 2

# SIGTERM: a clean stop.
kill -TERM "$DPID"
wait "$DPID"
is "SIGTERM: exit 0" "$?" 0
check "SIGTERM: the socket is removed" test ! -e "$T/feedd.sock"
check "the log names the skipped line with FILE:LINE" \
    grep -q "$T/feeds:3: .*; line skipped$" "$T/daemon.err"
is "database intact" "$(q 'PRAGMA integrity_check')" ok

# A restart honours the stored schedule: nothing is polled at once; a new
# feed is, and SIGTERM stops even with its transfer in flight.
echo "$BASE/slow.xml" >> "$T/feeds"
start_daemon "$@"
wait_for 100 test -S "$T/feedd.sock"
slow_asked() { [ "$(hits /slow.xml)" -ge 1 ]; }
wait_for 100 slow_asked
is "restart: the new feed is polled at once" "$(hits /slow.xml)" 1
is "restart: b not polled again before it is due" "$(hits /b.xml)" 1
kill -TERM "$DPID"
wait "$DPID"
is "SIGTERM with a transfer in flight: exit 0" "$?" 0
is "the aborted transfer stored nothing" "$(items_of "$BASE/slow.xml")" 0
is "database intact after the abort" "$(q 'PRAGMA integrity_check')" ok

# --daemon: detaches once it is up; startup errors still reach the caller.
"$FEEDD" --daemon "$@" 2>"$T/daemon1.err"
is "--daemon: exit 0 once up" "$?" 0
check "--daemon: socket listening" test -S "$T/feedd.sock"
DPID=$(cat "$T/feedd.db.lock")
PIDS="$PIDS $DPID"
check "--daemon: the lock file holds the daemon's pid" kill -0 "$DPID"
"$FEEDD" --daemon "$@" --socket "$T/other.sock" 2>"$T/daemon2.err"
is "--daemon on a database in use: exit 1" "$?" 1
check "--daemon: the error reaches the terminal" \
    grep -q "database in use by another feedd (pid $DPID)" "$T/daemon2.err"
kill -TERM "$DPID"
stopped() { ! kill -0 "$DPID"; }
wait_for 100 stopped
check "--daemon: stops on SIGTERM" stopped
check "--daemon: socket removed" test ! -e "$T/feedd.sock"

done_testing
