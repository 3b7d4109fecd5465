#!/bin/sh
# daemon_full.sh: the disk fills up while a poll is stored.  The database
# lives on a small tmpfs (a mount namespace of the test's own, so nothing
# outside sees it); a filler file takes the free space before a poll with
# large items.  The write fails with a clear error naming the feed, nothing
# stored before is lost, the database stays sound, and once there is room
# again the next run stores the update.  Skipped where the test may not
# mount a tmpfs (it needs unshare(1) and CAP_SYS_ADMIN, as root has).
if [ -z "${FEEDD_TEST_NS:-}" ]; then
	if command -v unshare >/dev/null 2>&1 &&
	    unshare -m true 2>/dev/null; then
		FEEDD_TEST_NS=1 exec unshare -m sh "$0" "$@"
	fi
	echo "1..0 # SKIP cannot make a mount namespace (unshare -m)"
	exit 0
fi
. "$(dirname "$0")/lib.sh"

command -v sqlite3 >/dev/null 2>&1 || { echo "1..0 # SKIP no sqlite3"; exit 0; }

mkdir "$T/small"
if ! mount -t tmpfs -o size=4m feedd-test "$T/small" 2>"$T/mount.err"; then
	echo "1..0 # SKIP cannot mount a tmpfs: $(cat "$T/mount.err")"
	exit 0
fi
trap 'umount "$T/small" 2>/dev/null; cleanup' EXIT
DB=$T/small/feedd.db
q() { sqlite3 "$DB" "$1"; }

# rss FILE N SIZE: an RSS feed of N items with SIZE bytes of content each.
rss() {
	"$PYTHON3" - "$T/$1" "$2" "$3" <<'EOF'
import sys
path, n, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
with open(path, "w") as f:
    f.write('<rss version="2.0"><channel><title>Full</title>\n')
    for i in range(n):
        body = ("item %d " % i) * (size // 8 + 1)
        f.write("<item><guid>g%d</guid><title>Item %d</title>"
                "<description>%s</description></item>\n" %
                (i, i, body[:size]))
    f.write("</channel></rss>\n")
EOF
}
rss feed.xml 3 100
echo '{"/feed.xml": {"body_file": "feed.xml"}}' > "$T/script.json"
start_httpd --script "$T/script.json"
echo "$BASE/feed.xml" > "$T/feeds"
: > "$T/feedd.conf"
set -- --once --config "$T/feedd.conf" --feeds "$T/feeds" --db "$DB" \
    --host-delay 0

"$FEEDD" "$@" 2>"$T/stderr"
is "room: the first run stores three items" \
    "$?/$(q 'SELECT count(*) FROM items')" "0/3"

# Fill the disk but for about 64 KiB, then serve 2 MB of new items.
avail=$(df -k "$T/small" | awk 'NR == 2 { print $4 }')
dd if=/dev/zero of="$T/small/filler" bs=1k count=$((avail - 64)) \
    2>/dev/null
rss feed.xml 200 10000
"$FEEDD" "$@" 2>"$T/stderr"
is "full: the run reports a failed feed (exit 2)" "$?" 2
check "full: a clear error naming the URL" \
    grep -q "warning: $BASE/feed.xml: .*full" "$T/stderr"
is "full: nothing stored before is lost, nothing half stored" \
    "$(q "SELECT group_concat(guid, ' ') FROM (SELECT guid FROM items
    ORDER BY guid)")" "g0 g1 g2"
is "full: the database is sound" "$(q "PRAGMA integrity_check")" ok

rm -f "$T/small/filler"
"$FEEDD" "$@" 2>"$T/stderr"
is "room again: the next run stores the update" \
    "$?/$(q 'SELECT count(*) FROM items')" "0/200"
is "room again: the feed is healthy" \
    "$(q "SELECT errors, last_error IS NULL FROM feeds")" "0|1"

done_testing
