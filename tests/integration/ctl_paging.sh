#!/bin/sh
# ctl_paging.sh: long listings are sent a page at a time; across page
# boundaries (many items sharing one date, items without a date, the
# epoch itself as a date) every item comes exactly once, in order, newest
# or oldest first, with filters and limits, and the end line counts them.
# A follower that stops reading is cut off; one that reads is not.
. "$(dirname "$0")/ctl_lib.sh"

# 2,600 items, dated long ago whatever the clock says: 1,200 on one date,
# 1,000 on another, 300 without a date (first seen at the poll), 100 dated
# 1970-01-01T00:00:00Z.
"$PYTHON3" - "$T/www/big.xml" <<'PY'
import sys
out = open(sys.argv[1], "w")
out.write('<?xml version="1.0"?><rss version="2.0"><channel><title>Big</title>\n')
def item(i, date):
    d = "<pubDate>%s</pubDate>" % date if date else ""
    out.write('<item><guid isPermaLink="false">g%d</guid><title>T%d</title>'
              '%s</item>\n' % (i, i, d))
n = 0
for date, count in (("Tue, 01 May 2001 10:00:00 GMT", 1200),
                    ("Mon, 30 Apr 2001 10:00:00 GMT", 1000),
                    (None, 300),
                    ("Thu, 01 Jan 1970 00:00:00 GMT", 100)):
    for _ in range(count):
        item(n, date)
        n += 1
out.write('</channel></rss>\n')
PY
start_httpd --dir "$T/www"
echo "$BASE/big.xml big" > "$T/feeds"
FEEDD_ARGS="--keep-items 0 --keep-age 0"
start_feedd
wait_for 300 has_items 2600 || not_ok "the big feed was stored"

# verify FILE ORDER WANT: every item once, sorted by (date, id) in ORDER,
# WANT of them, and an end line with that count.
cat > "$T/verify.py" <<'PY'
import json, sys
rows, end = [], None
for line in open(sys.argv[1]):
    o = json.loads(line)
    if o.get("end"):
        end = o
    elif "item" in o:
        it = o["item"]
        d = it["published"] if it["published"] is not None else it["first_seen"]
        rows.append((d, it["id"]))
    else:
        print("error line: %s" % line.strip())
        sys.exit(1)
want = int(sys.argv[3])
if sys.argv[2].startswith("id-"):	# "order":"id": by id alone
    key = sorted(rows, key=lambda r: r[1], reverse=(sys.argv[2] == "id-desc"))
else:
    key = sorted(rows, reverse=(sys.argv[2] == "newest"))
problems = []
if len(rows) != want:
    problems.append("%d rows, want %d" % (len(rows), want))
if len(set(r[1] for r in rows)) != len(rows):
    problems.append("duplicate ids")
if rows != key:
    problems.append("out of order")
if end is None or end["count"] != len(rows):
    problems.append("end line %r" % (end,))
print("; ".join(problems) if problems else "ok")
PY
listing() {
	printf '%s\n' "$1" > "$T/in"
	raw "$T/in" shut | sed '$d' > "$T/list"
	"$PYTHON3" "$T/verify.py" "$T/list" "$2" "$3"
}

is "newest first, all pages" \
    "$(listing '{"v":1,"id":1,"cmd":"items"}' newest 2600)" ok
is "oldest first, all pages" \
    "$(listing '{"v":1,"id":1,"cmd":"items","oldest_first":true}' oldest 2600)" ok
is "limit across a page boundary" \
    "$(listing '{"v":1,"id":1,"cmd":"items","limit":1500}' newest 1500)" ok
is "until bound kept across pages" \
    "$(listing '{"v":1,"id":1,"cmd":"items","until":"2001-05-01T00:00:00Z","oldest_first":true}' oldest 1100)" ok
is "since bound kept across pages" \
    "$(listing '{"v":1,"id":1,"cmd":"items","since":"2001-04-30T00:00:00Z","until":"2001-05-02T00:00:00Z"}' newest 2200)" ok
is "unread filter across pages" \
    "$(listing '{"v":1,"id":1,"cmd":"items","unread":true}' newest 2600)" ok
is "order id, highest first, all pages" \
    "$(listing '{"v":1,"id":1,"cmd":"items","order":"id"}' id-desc 2600)" ok
is "order id, lowest first, all pages" \
    "$(listing '{"v":1,"id":1,"cmd":"items","order":"id","oldest_first":true}' id-asc 2600)" ok
is "order id, unread, after an id, a limit across pages" \
    "$(listing '{"v":1,"id":1,"cmd":"items","order":"id","unread":true,"after":100,"limit":1500,"oldest_first":true}' id-asc 1500)" ok
is "unstarred across pages (none is starred)" \
    "$(listing '{"v":1,"id":1,"cmd":"items","unstarred":true}' newest 2600)" ok
printf '%s\n' '{"v":1,"id":1,"cmd":"items","starred":true,"unstarred":true}' \
    > "$T/in"
raw "$T/in" shut > "$T/both"
check "starred and unstarred together: a clear error" \
    grep -q "exclude each other" "$T/both"
    "$(listing '{"v":1,"id":1,"cmd":"items","until":1,"oldest_first":true}' oldest 100)" ok
is "feedctl items --json lists them all" "$(ctl --json items | wc -l)" 2600
is "feedctl new --json -n 100 gives the first page" \
    "$(ctl new --json -n 100 | wc -l)" 100
is "feedctl new --json gives every unread item (a script is not capped)" \
    "$(ctl new --json | wc -l)" 2600
ctl new > "$T/out"
is "feedctl new shows a person the first page" \
    "$(grep -c '^  *[0-9][0-9]*  ' "$T/out")" 100
check "and says how many there are" \
    grep -q "^Showing 100 of 2600 unread items in 1 feed " "$T/out"

# A burst of 2,500 events (10 MiB rendered): a follower that reads gets
# every one; one that does not read is cut off once it owes more than its
# max_backlog (here 100; by default 100,000, some 800 KiB of item ids).
"$PYTHON3" - "$T/www/flood.xml" <<'PY'
import sys
out = open(sys.argv[1], "w")
out.write('<?xml version="1.0"?><rss version="2.0"><channel><title>Flood</title>\n')
for i in range(2500):
    out.write('<item><guid isPermaLink="false">f%d</guid>'
              '<title>F%d %s</title></item>\n' % (i, i, "w" * 4096))
out.write('</channel></rss>\n')
PY
cat > "$T/sleeper.py" <<'PY'
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.connect(sys.argv[1])
s.sendall(b'{"v":1,"id":1,"cmd":"follow","max_backlog":100}\n')
open(sys.argv[2], "w").write("ready\n")
time.sleep(120)
PY
spawn "$PYTHON3" "$T/sleeper.py" "$SOCK" "$T/sleeper.ready"
SLEEPER=$LASTPID
spawn sh -c "\"$FEEDCTL\" -s \"$SOCK\" --json follow > \"$T/reader.out\" 2>/dev/null"
two_followers() { [ "$(stat_of followers)" -eq 2 ]; }
wait_for 100 two_followers || not_ok "two followers connected"
echo "$BASE/flood.xml flood" >> "$T/feeds"
ctl reload > /dev/null
ctl refresh --no-wait > /dev/null
wait_for 600 has_items 5100 || not_ok "the flood was stored"
reader_done() { [ "$(wc -l < "$T/reader.out")" -ge 2500 ]; }
wait_for 300 reader_done
is "a reading follower gets every event" "$(wc -l < "$T/reader.out")" 2500
one_follower() { [ "$(stat_of followers)" -eq 1 ]; }
wait_for 100 one_follower
is "the follower that does not read is cut off" "$(stat_of followers)" 1
check "the cut is logged" grep -q "follower not reading, cut off" "$T/feedd.log"
check "and the daemon answers" ctl version
kill "$SLEEPER" 2>/dev/null

stop_feedd
done_testing
