#!/bin/sh
# ctl_index.sh: search after a large first poll.  `feedd --once` leaves
# indexing a backlog of more than 20,000 items to the searches; a search
# catches up for at most a second or 50,000 items, answers from what is
# indexed and says
# how many of the newest items it could not see; the next one sees all.
# No daemon: feedctl reads the store through `feedd --stdio`.
. "$(dirname "$0")/ctl_lib.sh"

command -v sqlite3 >/dev/null 2>&1 || { echo "1..0 # SKIP no sqlite3"; exit 0; }

q() { sqlite3 "$T/db" "$1"; }
off() { "$FEEDCTL" -s "$SOCK" --db "$T/db" "$@"; }

# 1,100 local feeds of 50 items: 55,000 items, every title says "walrus".
mkdir -p "$T/big"
"$PYTHON3" - "$T/big" <<'PY'
import os, sys
d = sys.argv[1]
for n in range(1100):
    with open(os.path.join(d, "f%04d.xml" % n), "w") as f:
        f.write('<rss version="2.0"><channel><title>Feed %04d</title>' % n)
        for i in range(50):
            f.write('<item><guid>g%d-%d</guid><title>walrus %d %d</title>'
                    '</item>' % (n, i, n, i))
        f.write('</channel></rss>')
PY
for f in "$T"/big/f*.xml; do echo "file://$f"; done > "$T/feeds"
"$FEEDD" --once --config "$T/empty.conf" --feeds "$T/feeds" --db "$T/db" \
    --keep-items 0 2>"$T/once.err"
is "feedd --once stores 55,000 items" \
    "$?/$(q 'SELECT count(*) FROM items')" "0/55000"
upto=$(q 'SELECT upto FROM fts_state')
check "and leaves more than 20,000 of them to index" \
    test "$((55000 - upto))" -gt 20000

before=$upto
off --json search walrus -n 1 > "$T/s1.out" 2> "$T/s1.err"
is "the first search answers (exit 0)" "$?" 0
upto=$(q 'SELECT upto FROM fts_state')
check "having indexed more, at most 50,000 (or a second's worth)" \
    test "$((upto - before))" -gt 0 -a "$((upto - before))" -le 50000
left=$((55000 - upto))
check "it says how many of the newest items it could not see" \
    grep -q "search: up to $left of the newest items are not indexed yet" \
    "$T/s1.err"
is "its hit is the newest indexed item" \
    "$("$PYTHON3" -c 'import json, sys
print(json.load(open(sys.argv[1]))["id"])' "$T/s1.out")" "$upto"

off --json search walrus > "$T/s2.out" 2> "$T/s2.err"
is "the next search sees every item" "$?/$(wc -l < "$T/s2.out")" "0/55000"
is "and says nothing more" "$(cat "$T/s2.err")" ""
is "the index is current" \
    "$(q 'SELECT upto = (SELECT max(id) FROM items) FROM fts_state')" 1
check "and agrees with feedd --check-db" "$FEEDD" --check-db --db "$T/db"

done_testing
