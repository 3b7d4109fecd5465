#!/bin/sh
# daemon_locked.sh: the database is locked by another writer while a poll
# is in flight.  The update fails with a clear error, nothing stored
# before is lost, the run says a feed failed, and the next run stores the
# update.  A database that cannot be opened is fatal and named.
. "$(dirname "$0")/lib.sh"

command -v sqlite3 >/dev/null 2>&1 || { echo "1..0 # SKIP no sqlite3"; exit 0; }

q() { sqlite3 "$T/feedd.db" "$1"; }
hits() { grep -c "\"path\": \"$1\"" "$T/httpd.log"; }

# rss FILE ITEM...: an RSS feed with these guids.
rss() {
	f=$1; shift
	{
		echo '<rss version="2.0"><channel><title>Locked</title>'
		for g in "$@"; do
			echo "<item><guid>$g</guid><title>Item $g</title></item>"
		done
		echo '</channel></rss>'
	} > "$T/$f"
}
rss feed.xml one two
cat > "$T/script.json" <<'JSON'
{"/feed.xml": [{"body_file": "feed.xml"},
               {"delay": 2, "log_early": true, "body_file": "feed.xml"}]}
JSON
start_httpd --script "$T/script.json"
echo "$BASE/feed.xml" > "$T/feeds"
: > "$T/feedd.conf"
set -- --once --config "$T/feedd.conf" --feeds "$T/feeds" \
    --db "$T/feedd.db" --host-delay 0

"$FEEDD" "$@" 2>"$T/stderr"
is "first run stores two items" "$?/$(q 'SELECT count(*) FROM items')" "0/2"

# Second run: while its (slow) transfer is in flight, another process
# takes the write lock and keeps it past feedd's busy timeouts.
rss feed.xml one two three
spawn sh -c 'exec "$@" 2>"$0"' "$T/stderr" "$FEEDD" "$@"
FPID=$LASTPID
asked() { [ "$(hits /feed.xml)" -ge 2 ]; }
wait_for 100 asked
hold_lock "$T/feedd.db" 14
wait "$FPID"
rc=$?
is "locked database: the run reports a failed feed (exit 2)" "$rc" 2
check "locked database: a clear error naming the URL" \
    grep -q "warning: $BASE/feed.xml: .*locked" "$T/stderr"
wait "$LPID"
is "nothing stored before is lost, nothing half stored" \
    "$(q "SELECT group_concat(guid, ' ') FROM (SELECT guid FROM items
    ORDER BY guid)")" "one two"
is "the other writer's work is untouched" \
    "$(q "SELECT count(*) FROM meta WHERE key = 'locked-by-test'")" 0

"$FEEDD" "$@" 2>"$T/stderr"
is "next run stores the update" "$?/$(q 'SELECT count(*) FROM items')" "0/3"
is "and the feed is healthy" "$(q 'SELECT errors FROM feeds')" 0
is "database intact" "$(q 'PRAGMA integrity_check')" ok

# A database that cannot be opened is fatal, and named.
echo "not a database" > "$T/bad.db"
"$FEEDD" --once --config "$T/feedd.conf" --feeds "$T/feeds" \
    --db "$T/bad.db" 2>"$T/stderr"
is "unopenable database: exit 1" "$?" 1
check "unopenable database: the path is named" grep -qF "$T/bad.db:" \
    "$T/stderr"

done_testing
