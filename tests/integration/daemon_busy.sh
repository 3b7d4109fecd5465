#!/bin/sh
# daemon_busy.sh: one writer, and a loop that never waits for the disk.
# While another process holds the database's write lock, the requests that
# write (mark, reload) or need the search index brought up to date wait
# for the writer thread, each client for its own answer, and every other
# client is answered at once.  A reload whose transaction fails leaves the
# running schedule exactly as it was: no feed added, none dropped.
. "$(dirname "$0")/ctl_lib.sh"

command -v sqlite3 >/dev/null 2>&1 || { echo "1..0 # SKIP no sqlite3"; exit 0; }

q() { sqlite3 "$T/db" "$1"; }
hits() { grep -c "\"path\": \"$1\"" "$T/httpd.log"; }

rss a.xml Alpha "a1|Apple one|x|Sat, 28 Nov 2026 10:00:00 GMT" \
    "a2|Apple two|y|Sat, 28 Nov 2026 11:00:00 GMT"
rss b.xml Beta "b1|Banana one|x|Fri, 27 Nov 2026 10:00:00 GMT"
rss n.xml New "n1|Nut one|x|Fri, 27 Nov 2026 10:00:00 GMT"
start_httpd --dir "$T/www"
cat > "$T/feeds" <<EOF
$BASE/a.xml
$BASE/b.xml
EOF
start_feedd
wait_for 200 has_items 3 || not_ok "first polls stored"

# A new item, not yet indexed for search when the lock is taken.
rss b.xml Beta "b1|Banana one|x|Fri, 27 Nov 2026 10:00:00 GMT" \
    "b2|Cherry two|x|Fri, 27 Nov 2026 11:00:00 GMT"
ctl refresh --no-wait Beta > /dev/null
wait_for 100 has_items 4 || not_ok "new item stored"

# The lock is held for three seconds (less than the busy timeout, so the
# waiting writes succeed once it is gone).
hold_lock "$T/db" 3
sleep 0.2
spawn sh -c "\"$FEEDCTL\" -s \"$SOCK\" read --all > \"$T/read.out\" 2>&1"
READ=$LASTPID
spawn sh -c "\"$FEEDCTL\" -s \"$SOCK\" search Cherry > \"$T/search.out\" 2>&1"
SEARCH=$LASTPID
echo "$BASE/a.xml" >> "$T/feeds"	# a duplicate line: warned, loads
spawn sh -c "\"$FEEDCTL\" -s \"$SOCK\" reload > \"$T/reload.out\" 2>&1"
RELOAD=$LASTPID
sleep 0.3
ctl stats --json > "$T/stats.out"
is "stats answers while a mark, a search and a reload wait" "$?" 0
ctl new --json > "$T/new.out"
is "new answers too" "$?/$(wc -l < "$T/new.out")" "0/4"
ctl feeds > /dev/null
is "and feeds" "$?" 0
if kill -0 "$LPID" 2>/dev/null; then
	ok "all of that while the lock is still held"
else
	not_ok "all of that while the lock is still held"
fi
if kill -0 "$READ" 2>/dev/null && [ ! -s "$T/read.out" ]; then
	ok "the mark waits for the writer"
else
	not_ok "the mark waits for the writer"
fi
wait "$LPID"
wait "$READ"
is "the mark is done once the lock is gone" "$?/$(cat "$T/read.out")" \
    "0/4 items marked read."
wait "$SEARCH"
rc=$?
check "the search waited for the index and found the new item ($rc)" \
    grep -q "Cherry two" "$T/search.out"
wait "$RELOAD"
is "the reload waited and succeeded" "$?/$(head -n 1 "$T/reload.out")" \
    "0/Configuration reloaded; 1 warning:"
check "and warned of the duplicate line" \
    grep -q "feeds:[0-9]*: duplicate of line 1 ($BASE/a.xml); ignored$" \
    "$T/reload.out"
is "nothing unread" "$(stat_of unread)" 0

# A reload whose transaction fails halfway: a trigger rejects one feed's
# row.  The new feed before it must not enter the schedule, the feed it
# rejected must stay in it, and the store keeps the old rows.
q "CREATE TRIGGER poison BEFORE UPDATE OF conf_title ON feeds
    WHEN new.conf_title = 'poison' BEGIN
    SELECT RAISE(ABORT, 'poisoned feed row'); END;"
before=$(stat_of configured_feeds)
cat > "$T/feeds" <<EOF
$BASE/a.xml
$BASE/n.xml
$BASE/b.xml "~poison"
EOF
ctl reload > "$T/reload.out" 2>&1
rc=$?
check "a failing reload is refused ($rc)" test "$rc" -ne 0
check "and says why" grep -q "poisoned feed row" "$T/reload.out"
is "the schedule keeps its feeds" "$(stat_of configured_feeds)" "$before"
is "the store has no row of the new feed" \
    "$(q "SELECT count(*) FROM feeds WHERE url = '$BASE/n.xml'")" 0
na=$(hits /a.xml); nb=$(hits /b.xml)
ctl refresh --no-wait > /dev/null
polled() { [ "$(hits /a.xml)" -gt "$na" ] && [ "$(hits /b.xml)" -gt "$nb" ]; }
wait_for 100 polled
is "a refresh still polls both old feeds" \
    "$(( $(hits /a.xml) - na ))/$(( $(hits /b.xml) - nb ))" "1/1"
is "and never the new one" "$(hits /n.xml)" 0
is "feeds lists the old feeds only" "$(ctl feeds --json | grep -c '"url"')" 2

# A reload while the lock is held past the busy timeout: it fails, saying
# so, and the schedule stays as it was (the trigger is still there, but the
# transaction never starts).
cat > "$T/feeds" <<EOF
$BASE/a.xml
$BASE/n.xml
EOF
hold_lock "$T/db" 7
sleep 0.2
ctl reload > "$T/reload.out" 2>&1
rc=$?
check "a reload on a locked database is refused ($rc)" test "$rc" -ne 0
check "and says the database is locked" grep -q "locked" "$T/reload.out"
is "the schedule still keeps its feeds" "$(stat_of configured_feeds)" \
    "$before"
is "the store still has no row of the new feed" \
    "$(q "SELECT count(*) FROM feeds WHERE url = '$BASE/n.xml'")" 0
wait "$LPID"

# Without the trigger the file with the new feed loads.
q "DROP TRIGGER poison"
ctl reload > "$T/reload.out" 2>&1
is "the file loads once the rows can be written" "$?" 0
is "the new feed is scheduled, b no more" "$(stat_of configured_feeds)" 2
ctl refresh --no-wait "$BASE/n.xml" > /dev/null
newpolled() { [ "$(hits /n.xml)" -ge 1 ]; }
wait_for 100 newpolled
check "the new feed is polled" newpolled

stop_feedd
done_testing
