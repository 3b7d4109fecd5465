#!/bin/sh
# daemon_writer.sh: the store writer thread (src/writer.c).  Polls that
# queue up while the writer waits are stored together (group commit), yet
# each feed's update stays all or nothing: a feed whose write fails (here a
# trigger the test adds rejects one item) keeps nothing of its poll and
# records the error, and every other feed in the same group is stored.
# When the failure loses the whole transaction (RAISE(ROLLBACK)), each poll
# is stored again alone.  The daemon's writer indexes new items for search
# by itself, with no search asking.  SIGTERM in the middle of a --once run
# stores the polls already handed to the writer, whole, and nothing else;
# SIGKILL loses at most what was not committed, never half a feed.
. "$(dirname "$0")/lib.sh"

command -v sqlite3 >/dev/null 2>&1 || { echo "1..0 # SKIP no sqlite3"; exit 0; }

q() { sqlite3 "$T/feedd.db" "$1"; }
NFEEDS=12

# rss FILE TITLE...: an RSS feed with one item per title.
rss() {
	f=$1; shift
	{
		echo "<rss version=\"2.0\"><channel><title>$f</title>"
		for t in "$@"; do
			echo "<item><guid>$f-$t</guid><title>$t</title></item>"
		done
		echo '</channel></rss>'
	} > "$T/$f"
}

# Every feed answers after a second (the poisoned one a little later, so
# that it is not the first poll the writer takes): while the answers come
# in, another process holds the write lock for three seconds, and the polls
# queue up behind the writer's first transaction.
i=1
{
	echo '{'
	while [ $i -le $NFEEDS ]; do
		rss "f$i.xml" one two three
		d=1
		[ $i -eq 7 ] && d=1.5
		echo "\"/f$i.xml\": {\"delay\": $d, \"log_early\": true,"
		echo "  \"body_file\": \"f$i.xml\"},"
		i=$((i + 1))
	done
	echo '"/empty.xml": {"body": "<rss version=\"2.0\"><channel/></rss>"}}'
} > "$T/script.json"
rss f7.xml one poison three
start_httpd --script "$T/script.json"
i=1
while [ $i -le $NFEEDS ]; do
	echo "$BASE/f$i.xml"
	i=$((i + 1))
done > "$T/feeds.all"
echo "$BASE/empty.xml" > "$T/feeds.empty"
: > "$T/feedd.conf"

# run_locked RAISE: a fresh database with the poison trigger, then one
# --once run with the lock held while the answers arrive.
run_locked() {
	rm -f "$T/feedd.db" "$T/feedd.db-wal" "$T/feedd.db-shm"
	"$FEEDD" --once --config "$T/feedd.conf" --feeds "$T/feeds.empty" \
	    --db "$T/feedd.db" 2>/dev/null
	n0=$(grep -c '"path": "/f' "$T/httpd.log")
	q "CREATE TRIGGER poison BEFORE INSERT ON items
	    WHEN new.title = 'poison' BEGIN SELECT RAISE($1, 'poisoned item');
	    END;"
	spawn sh -c 'exec "$@" 2>"$0"' "$T/stderr" "$FEEDD" --once -vv \
	    --config "$T/feedd.conf" --feeds "$T/feeds.all" --db "$T/feedd.db" \
	    --max-conns $NFEEDS --host-conns $NFEEDS --host-delay 0
	FPID=$LASTPID
	# httpd keeps its log open: count the requests of this run only.
	asked() {
		[ "$(grep -c '"path": "/f' "$T/httpd.log")" -ge $((n0 + NFEEDS)) ]
	}
	if ! wait_for 100 asked; then
		echo "#   feedd did not ask for every feed in 10 s"
	fi
	hold_lock "$T/feedd.db" 3
	wait "$FPID"
	RC=$?
	wait "$LPID"
}

for how in ABORT ROLLBACK; do
	run_locked $how
	is "$how: one feed failed (exit 2)" "$RC" 2
	is "$how: the poisoned feed kept nothing of its poll" \
	    "$(q "SELECT count(*) FROM items i JOIN feeds f ON f.id = i.feed_id
	    WHERE f.url = '$BASE/f7.xml'")" 0
	is "$how: ... and records why" \
	    "$(q "SELECT errors, last_error LIKE '%poisoned item%', etag IS NULL
	    FROM feeds WHERE url = '$BASE/f7.xml'")" "1|1|1"
	check "$how: the error names the feed" \
	    grep -q "warning: $BASE/f7.xml: .*poisoned item" "$T/stderr"
	is "$how: every other feed stored all its items" \
	    "$(q "SELECT count(*) FROM items")" $(((NFEEDS - 1) * 3))
	is "$how: ... and its state" \
	    "$(q "SELECT count(*) FROM feeds WHERE errors = 0
	    AND last_success > 0 AND url LIKE '%/f%.xml'")" $((NFEEDS - 1))
	n=$(sed -n 's/.*writer: \([0-9]*\) jobs stored in \([0-9]*\) batches.*/\1 \2/p' \
	    "$T/stderr")
	set -- $n
	# Every poll, and the failed one's error on its row.
	is "$how: the writer stored every poll" "${1:-none}" $((NFEEDS + 1))
	# The first poll alone (it waits for the lock), the eleven that
	# queued meanwhile together, then the failure on the poisoned row.
	if [ "${2:-$NFEEDS}" -le 4 ]; then
		ok "$how: polls that queued up were stored together ($2 batches for $1)"
	else
		not_ok "$how: polls that queued up were stored together"
		echo "#   writer line: ${n:-none}"
	fi
done

# The daemon indexes new items for search by itself.
rm -f "$T/feedd.db" "$T/feedd.db-wal" "$T/feedd.db-shm"
head -1 "$T/feeds.all" > "$T/feeds.one"	# first polls are spread
spawn sh -c 'exec "$@" 2>"$0"' "$T/daemon.err" "$FEEDD" --foreground \
    --config "$T/feedd.conf" --feeds "$T/feeds.one" --db "$T/feedd.db" \
    --socket "$T/feedd.sock" --host-delay 0
DPID=$LASTPID
stored() { [ "$(q "SELECT count(*) FROM items")" = 3 ]; }
wait_for 100 stored
indexed() {
	[ "$(q "SELECT upto FROM fts_state")" = "$(q "SELECT max(id)
	    FROM items")" ]
}
wait_for 100 indexed
is "daemon: new items indexed for search without a search" \
    "$(q "SELECT upto = (SELECT max(id) FROM items) FROM fts_state")" 1
# (Through feedctl: the index's tokenizer is feedd's own, which the
# sqlite3 shell does not have; the index is complete, so the search finds
# what it holds.)
is "daemon: the index finds them" \
    "$("$FEEDCTL" -s "$T/feedd.sock" --json search --oldest-first \
    'two OR three' | "$PYTHON3" -c 'import json, sys
print(",".join(json.loads(l)["guid"] for l in sys.stdin))')" \
    "f1.xml-two,f1.xml-three"
kill -TERM "$DPID"
wait "$DPID"
is "daemon: stops cleanly" "$?" 0

# SIGTERM in the middle of a --once run: polls already handed to the
# writer are stored whole, the rest not at all, and the database is sound.
{
	echo '{'
	i=1
	while [ $i -le 40 ]; do
		n=$((i % 7 + 1))
		set --
		j=1
		while [ $j -le $n ]; do
			set -- "$@" "i$j"
			j=$((j + 1))
		done
		rss "g$i.xml" "$@"
		echo "\"/g$i.xml\": {\"delay\": 0.3, \"body_file\": \"g$i.xml\"},"
		i=$((i + 1))
	done
	echo '"/none": {}}'
} > "$T/script.json"
sleep 1	# the script is read again when its mtime changes
i=1
while [ $i -le 40 ]; do
	echo "$BASE/g$i.xml"
	i=$((i + 1))
done > "$T/feeds.many"
# once_many: feedd --once over the 40 feeds, stderr in $T/stderr (it
# execs, so that in the background its PID is feedd's).
once_many() {
	exec "$FEEDD" --once --config "$T/feedd.conf" --feeds "$T/feeds.many" \
	    --db "$T/feedd.db" --max-conns 8 --host-conns 8 --host-delay 0 \
	    2>"$T/stderr"
}
# start_many: once_many in the background on a fresh database; returns
# once at least 8 feeds were fetched.
start_many() {
	rm -f "$T/feedd.db" "$T/feedd.db-wal" "$T/feedd.db-shm"
	spawn once_many
	FPID=$LASTPID
	some() {
		[ "$(q "SELECT count(*) FROM feeds WHERE last_fetch > 0")" \
		    -ge 8 ]
	}
	wait_for 100 some
}
# after_stop WHAT LEAST: the checks after a run was stopped part way.
after_stop() {
	is "$1: the database is sound" "$(q "PRAGMA integrity_check")" ok
	polled=$(q "SELECT count(*) FROM feeds WHERE last_success > 0")
	if [ "$polled" -ge "$2" ] && [ "$polled" -lt 40 ]; then
		ok "$1: stopped part way ($polled of 40 feeds stored)"
	else
		not_ok "$1: stopped part way ($polled of 40 feeds stored)"
	fi
	is "$1: each stored feed has all its items, the others none" \
	    "$(q "SELECT count(*) FROM feeds f WHERE url LIKE '%/g%.xml' AND
	    (SELECT count(*) FROM items i WHERE i.feed_id = f.id) <>
	    CASE WHEN f.last_success > 0 THEN
	    CAST(substr(f.url, instr(f.url, '/g') + 2) AS INTEGER) % 7 + 1
	    ELSE 0 END")" 0
}

start_many
kill -TERM "$FPID"
wait "$FPID"
is "SIGTERM: --once says it was interrupted (exit 1)" "$?" 1
after_stop SIGTERM 8
check "SIGTERM: the summary counts what was stored" \
    grep -q "feedd: $polled feeds polled, 0 failed" "$T/stderr"

# SIGKILL in the middle of a --once run (a crash, possibly inside a
# transaction): the database is sound, each feed is stored whole or not at
# all, and the next run stores the rest, every item exactly once.
start_many
kill -KILL "$FPID"
wait "$FPID" 2>/dev/null
after_stop SIGKILL 1
(once_many)
is "SIGKILL: the next run completes (exit 0)" "$?" 0
want=0
i=1
while [ $i -le 40 ]; do
	want=$((want + i % 7 + 1))
	i=$((i + 1))
done
is "SIGKILL: then every item is stored, exactly once" \
    "$(q "SELECT count(*) || '/' || count(DISTINCT guid) FROM items")" \
    "$want/$want"

done_testing
