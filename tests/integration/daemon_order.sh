#!/bin/sh
# daemon_order.sh: the two ordering rules of a poll's path (due -> fetch
# -> result -> plan -> write -> announce -> done).
# 1. The next due time is fixed before the write: the row written with a
#    poll's items already carries it, so when the poll is announced the
#    store says when the feed is due next; and a poll whose write fails is
#    recorded with a next due time planned after the failure (backoff).
# 2. No feed is polled again before its write job comes back: while the
#    job waits for the database, refreshes do not start a second poll of
#    that feed.
. "$(dirname "$0")/ctl_lib.sh"

command -v sqlite3 >/dev/null 2>&1 || { echo "1..0 # SKIP no sqlite3"; exit 0; }

q() { sqlite3 "$T/db" "$1"; }
hits() { grep -c "\"path\": \"$1\"" "$T/httpd.log"; }
col() { q "SELECT $1 FROM feeds WHERE url = '$BASE/$2'"; }

rss a.xml Alpha "a1|One|x|Sat, 28 Nov 2026 10:00:00 GMT"
rss slow.xml Slow "s1|Slow one|x|Sat, 28 Nov 2026 10:00:00 GMT"
cat > "$T/script.json" <<JSON
{"/slow.xml": {"delay": 1, "log_early": true, "body_file": "www/slow.xml"}}
JSON
start_httpd --dir "$T/www" --script "$T/script.json"
cat > "$T/feeds" <<EOF
$BASE/a.xml every=1h
$BASE/slow.xml every=1h
EOF
start_feedd
wait_for 200 has_items 2 || not_ok "first polls stored"

# Rule 1: a follower hears of a new item only after the write, and by then
# the row says when the feed is due next (every=1h after this poll).
spawn sh -c "\"$FEEDCTL\" -s \"$SOCK\" follow > \"$T/follow.out\" 2>&1"
one_follower() { [ "$(stat_of followers)" -ge 1 ]; }
wait_for 100 one_follower || not_ok "follower connected"
rss a.xml Alpha "a1|One|x|Sat, 28 Nov 2026 10:00:00 GMT" \
    "a2|Two|y|Sat, 28 Nov 2026 11:00:00 GMT"
ctl refresh --no-wait Alpha > /dev/null
heard() { grep -q "Two" "$T/follow.out"; }
wait_for 100 heard || not_ok "follower heard of the new item"
is "announced: the stored row already has the planned due time" \
    "$(col "next_fetch - last_fetch" a.xml)" 3600

# Rule 2: the slow feed's answer arrives while another process holds the
# write lock, so its write job waits.  Its transfer is over (nothing in
# flight), yet refreshes start no second poll of it until the job is back.
slowitems() {
	q "SELECT count(*) FROM items i JOIN feeds f ON f.id = i.feed_id
	    WHERE f.url = '$BASE/slow.xml'"
}
rss slow.xml Slow "s1|Slow one|x|Sat, 28 Nov 2026 10:00:00 GMT" \
    "s2|Slow two|x|Sat, 28 Nov 2026 11:00:00 GMT"
n0=$(hits /slow.xml)
ctl refresh --no-wait Slow > /dev/null
asked() { [ "$(hits /slow.xml)" -gt "$n0" ]; }
wait_for 100 asked || not_ok "second poll of the slow feed asked"
hold_lock "$T/db" 4
transferred() { [ "$(stat_of in_flight)" = 0 ]; }
wait_for 100 transferred || not_ok "transfer over while the lock is held"
ctl refresh --no-wait Slow > /dev/null
ctl refresh --no-wait > /dev/null
sleep 0.5
ctl refresh --no-wait Slow > /dev/null
if kill -0 "$LPID" 2>/dev/null; then
	ok "the refreshes came while the write job was waiting"
else
	not_ok "the refreshes came while the write job was waiting"
fi
is "no second poll while the job is out" "$(hits /slow.xml)" $((n0 + 1))
wait "$LPID"
stored() { [ "$(slowitems)" = 2 ]; }
wait_for 100 stored || not_ok "the waiting job was stored once the lock went"
is "still no second poll when the job is back" "$(hits /slow.xml)" \
    $((n0 + 1))
ctl refresh --no-wait Slow > /dev/null
again() { [ "$(hits /slow.xml)" -gt $((n0 + 1)) ]; }
wait_for 100 again
is "once the job is back, a refresh polls it again" "$(hits /slow.xml)" \
    $((n0 + 2))

# Rule 1 when the write fails: the lock is held past the busy timeout, so
# the poll's write fails; the failure is recorded with a due time planned
# for the failure (backoff from the interval, with jitter: 0.9 to 1.1 h).
wait_for 100 transferred
before=$(col last_fetch slow.xml)
rss slow.xml Slow "s1|Slow one|x|Sat, 28 Nov 2026 10:00:00 GMT" \
    "s2|Slow two|x|Sat, 28 Nov 2026 11:00:00 GMT" \
    "s3|Slow three|x|Sat, 28 Nov 2026 12:00:00 GMT"
n1=$(hits /slow.xml)
ctl refresh --no-wait Slow > /dev/null
asked_more() { [ "$(hits /slow.xml)" -gt "$n1" ]; }
wait_for 100 asked_more || not_ok "third poll asked"
hold_lock "$T/db" 7
recorded() { [ "$(col errors slow.xml)" = 1 ]; }
wait_for 200 recorded || not_ok "the failed write was recorded"
wait "$LPID"
check "the failure names the lock" sh -c \
    "sqlite3 '$T/db' \"SELECT last_error FROM feeds WHERE url = '$BASE/slow.xml'\" | grep -q locked"
is "the failed poll's items were not stored" "$(slowitems)" 2
gap=$(col "next_fetch - last_fetch" slow.xml)
check "the failure is planned with backoff (got $gap s)" \
    test "$gap" -ge 3240 -a "$gap" -le 3960
check "and recorded at the failed poll" test "$(col last_fetch slow.xml)" \
    -ge "$before"
is "no poll of it since" "$(hits /slow.xml)" $((n1 + 1))

stop_feedd
done_testing
