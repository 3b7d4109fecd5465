#!/bin/sh
# daemon_truncate.sh: a valid feed bigger than max-body keeps what was read.
# A 30 MB RSS document of 100,000 items over the default 16 MiB cap: the
# items before the cap are stored (the first ones, whole), the rest are
# not, the run succeeds, and the feed carries a warning naming the cap,
# logged with the URL.  A larger max-body takes the whole document.
. "$(dirname "$0")/lib.sh"

command -v sqlite3 >/dev/null 2>&1 || { echo "1..0 # SKIP no sqlite3"; exit 0; }

q() { sqlite3 "$T/feedd.db" "$1"; }

mkdir -p "$T/www"
"$PYTHON3" - "$T/www/big.xml" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write('<?xml version="1.0" encoding="utf-8"?>\n'
            '<rss version="2.0"><channel><title>Big</title>\n')
    for i in range(100000):
        f.write('<item><guid isPermaLink="false">big-%d</guid>'
                '<title>Item %d</title><description>%s</description>'
                '</item>\n' % (i, i, "x" * 200))
    f.write('</channel></rss>\n')
PY
size=$(wc -c < "$T/www/big.xml")
check "the document is over 30 MB ($size bytes)" test "$size" -gt 30000000
start_httpd --dir "$T/www"
echo "$BASE/big.xml" > "$T/feeds"
: > "$T/feedd.conf"

"$FEEDD" --once --config "$T/feedd.conf" --feeds "$T/feeds" \
    --db "$T/feedd.db" --host-delay 0 2>"$T/stderr"
is "a truncated feed is not a failed one: exit 0" "$?" 0
n=$(q 'SELECT count(*) FROM items')
check "the items before the cap are stored ($n)" \
    sh -c "[ $n -gt 40000 ] && [ $n -lt 100000 ]"
is "the first item is there" \
    "$(q "SELECT count(*) FROM items WHERE guid = 'big-0'")" 1
is "the stored ones are the first ones" \
    "$(q "SELECT count(*) FROM items WHERE guid = 'big-$((n - 1))'")/$(q \
    "SELECT count(*) FROM items WHERE guid = 'big-$n'")" "1/0"
is "the feed says it was truncated, and at which cap" \
    "$(q "SELECT errors || ' ' || last_error FROM feeds")" \
    "0 truncated: the body exceeds max-body (16777216 bytes); kept the $n items before it"
check "a warning names the URL" grep -q \
    "feedd: warning: $BASE/big.xml: truncated: the body exceeds max-body" \
    "$T/stderr"

# max-body stays configurable: with room for it, the whole document.
echo "max-body = 64M" > "$T/feedd.conf"
rm -f "$T/feedd.db"
"$FEEDD" --once --config "$T/feedd.conf" --feeds "$T/feeds" \
    --db "$T/feedd.db" --host-delay 0 2>"$T/stderr"
is "max-body = 64M: exit 0" "$?" 0
is "... all 100,000 items, no warning" \
    "$(q 'SELECT count(*) FROM items')/$(q "SELECT COALESCE(last_error, '')
    FROM feeds")" "100000/"
done_testing
