#!/bin/sh
# ctl_counts.sh: the read path's numbers come from counters, not scans, and
# stay equal to a full count through polls, marks, retention and writes by
# other programs; `feedd --check-db` checks (and --repair recounts) them.
# The feed table is streamed a page at a time: 2,500 feeds all arrive, in
# order.  Options may follow a command's operands.
. "$(dirname "$0")/ctl_lib.sh"

command -v sqlite3 >/dev/null 2>&1 || { echo "1..0 # SKIP no sqlite3"; exit 0; }

q() { sqlite3 "$T/db" "$1"; }

# 2,500 local feeds (file://, no HTTP needed), item i of feed n dated so
# that the newest items come from the last feeds; feed 7 has 30 items.
mkdir -p "$T/many"
"$PYTHON3" - "$T/many" <<'PY'
import os, sys
d = sys.argv[1]
for n in range(2500):
    k = 30 if n == 7 else 2
    with open(os.path.join(d, "f%04d.xml" % n), "w") as f:
        f.write('<rss version="2.0"><channel><title>Feed %04d</title>' % n)
        for i in range(k):
            word = "zebra" if i % 3 == 0 else "okapi"
            f.write('<item><guid>f%d-%d</guid><title>%s %d %d</title>'
                    '<description>&lt;p class="x"&gt;%s text&lt;/p&gt;'
                    '</description><pubDate>%s</pubDate></item>' %
                    (n, i, word, n, i, word,
                     "Mon, 02 Jan 2023 %02d:%02d:00 GMT" %
                     (i % 24, n % 60)))
        f.write('</channel></rss>')
PY
for f in "$T"/many/f*.xml; do echo "file://$f"; done > "$T/feeds"
FEEDD_ARGS="--keep-items 0"
"$FEEDD" --once --config "$T/empty.conf" --feeds "$T/feeds" --db "$T/db" \
    --keep-items 0 2>"$T/once.err"
is "feedd --once stores 2,500 feeds" "$?/$(q 'SELECT count(*) FROM items')" \
    "0/5028"
is "feedd --once leaves the search index current" \
    "$(q 'SELECT upto = (SELECT max(id) FROM items) FROM fts_state')" 1
start_feedd

counted() {
	q "SELECT count(*) || ' ' || (SELECT count(*) FROM unread) || ' ' ||
	    sum(starred <> 0)
	    FROM items"
}
stats() {
	ctl --json stats | "$PYTHON3" -c 'import json, sys
s = json.load(sys.stdin)
print(s["items"], s["unread"], s["starred"])'
}
is "stats: the counters equal a full count" "$(stats)" "$(counted)"
check "feedd --check-db: database OK" "$FEEDD" --check-db --db "$T/db"

# The feed table, streamed: every feed, in title order, and the counts.
ctl --json feeds > "$T/feeds.json"
is "feeds --json lists all 2,500 feeds" "$(wc -l < "$T/feeds.json")" 2500
"$PYTHON3" - "$T/feeds.json" > "$T/feeds.check" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
titles = [r["title"] for r in rows]
print("sorted" if titles == sorted(titles, key=str.lower) else "unsorted")
print(sum(r["items"] for r in rows), sum(r["unread"] for r in rows))
print(len(set(r["id"] for r in rows)))
PY
is "in title order across pages" "$(sed -n 1p "$T/feeds.check")" sorted
is "their counts add up" "$(sed -n 2p "$T/feeds.check")" "5028 5028"
is "no feed twice" "$(sed -n 3p "$T/feeds.check")" 2500
printf '{"v":1,"id":4,"cmd":"feeds"}\n' > "$T/in"
raw "$T/in" shut > "$T/out"
check "raw feeds: the end line counts them" \
    grep -q '^{"id":4,"ok":true,"end":true,"count":2500}$' "$T/out"
printf '{"v":1,"id":5,"cmd":"feeds","brief":true}\n' > "$T/in"
raw "$T/in" shut > "$T/out.all"
head -1 "$T/out.all" > "$T/out"
"$PYTHON3" -c 'import json, sys
f = json.load(open(sys.argv[1]))["feed"]
print(" ".join(sorted(f)))' "$T/out" > "$T/brief.keys"
# A healthy feed: errors, last_error, redirect_url, gone and gone_since
# are at their zero value, which brief leaves out (feedd.8).
is "raw feeds brief: a table's members only, the zero ones left out" \
    "$(cat "$T/brief.keys")" \
    "active http_status id items last_fetch next_fetch title unread url"
ctl feeds > "$T/feeds.txt"
is "feeds (human): a row a feed" "$(grep -c ' Feed [0-9]' "$T/feeds.txt")" 2500

# Marks, stars and the totals of new.
ctl read --feed "Feed 0007" > /dev/null
ctl star 1 2 3 > /dev/null
ctl read --all --tag nothing > /dev/null 2>&1
is "after marks: counters equal a full count" "$(stats)" "$(counted)"
ctl new > "$T/new.out"
check "new: the total from the counters" \
    grep -q "^Showing 100 of 4998 unread items in 2499 feeds" "$T/new.out"
ctl new --feed "Feed 0008" > "$T/new.out"
check "new --feed: that feed's total" \
    grep -q "^2 unread items in 1 feed\.$" "$T/new.out"

# Search: newest first, the first page and how many in all; --json gets
# every hit; --rank orders by relevance; markup is not text.
ctl search zebra > "$T/search.out"
is "search (human): a page of 100" "$(grep -c 'zebra' "$T/search.out")" 100
check "and how many match in all" \
    grep -q "^Showing 100 of 2509 matches, newest first" "$T/search.out"
is "--json search: every hit" "$(ctl --json search zebra | wc -l)" 2509
ctl --json search zebra -n 3 > "$T/search.json"
"$PYTHON3" - "$T/search.json" > "$T/search.check" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
d = [r.get("published") or r["first_seen"] for r in rows]
print(len(rows), "newest first" if d == sorted(d, reverse=True) else d)
PY
is "search -n 3: the three newest" "$(cat "$T/search.check")" "3 newest first"
is "search --rank -n 5: five hits" \
    "$(ctl --json search --rank zebra -n 5 | wc -l)" 5
ctl search okapi --rank -n 5 > "$T/rank.out"
check "search --rank -n 5 (human): best first, of all" \
    grep -q "^Showing 5 of 2519 matches, best first" "$T/rank.out"
ctl items --rank > "$T/bad.out" 2>&1
is "items --rank without a search: a usage error" "$?" 2
check "saying why" grep -q 'needs a search' "$T/bad.out"
is "markup is not searched: class" "$(ctl --json search class | wc -l)" 0
is "nor p" "$(ctl --json search p | wc -l)" 0
ctl --json search 'zebra AND (' > "$T/syntax.out" 2>&1
is "a query with an FTS syntax error: searched as words" "$?" 0
ctl --json search 'title:zebra' > "$T/col.out" 2>&1
is "a column filter: allowed" "$?/$(wc -l < "$T/col.out")" "0/2509"

ctl --json search '"zebra' > "$T/quote.out" 2>&1
is "an unbalanced quote: searched as words" "$?/$(wc -l < "$T/quote.out")" \
    "0/2509"
ctl --json search 'nosuch:zebra' > "$T/col.out" 2>&1
is "an unknown column: searched as words, no crash" "$?" 0
is "--limit 0: every hit" "$(ctl --json search zebra --limit 0 | wc -l)" 2509
ctl search zebra --limit 99999999999999999999 > "$T/bad.out" 2>&1
is "a --limit too big for a number: usage error" "$?" 2
check "saying so, with the most there may be" \
    grep -q "limit: too large (at most 9223372036854775807)" "$T/bad.out"

# A client that goes away in the middle of a listing costs nothing: the
# daemon drops the listing and answers the next client.
"$PYTHON3" - "$SOCK" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(b'{"v":1,"id":1,"cmd":"items","content":true}\n')
s.recv(4096)
s.close()
PY
is "after a client left mid-listing: the daemon answers" \
    "$(ctl --json new -n 1 | wc -l)" 1
clients() { ctl --json stats | "$PYTHON3" -c 'import json, sys
print(json.load(sys.stdin)["clients"])'; }
one_client() { [ "$(clients)" = 1 ]; }
wait_for 100 one_client
is "and that client is gone" "$(clients)" 1

# Options after the operands; -- ends them.
is "search QUERY --limit 2: two hits" \
    "$(ctl --json search zebra --limit 2 | wc -l)" 2
is "search QUERY -n 3 --feed F: that feed's hits" \
    "$(ctl --json search zebra -n 3 --feed "Feed 0007" | wc -l)" 3
ctl search -- -zebra > "$T/dash.out" 2>&1
is "search -- -word: an operand with a dash is searched" "$?" 0
ctl search zebra --bogus > "$T/bad.out" 2>&1
is "an unknown option after the query: usage error" "$?" 2
check "naming it" grep -q "unknown flag: --bogus" "$T/bad.out"
ctl items --limit -1 > "$T/bad.out" 2>&1
is "a negative --limit: usage error" "$?" 2
ctl read 5 --no-such > "$T/bad.out" 2>&1
is "read ID --unknown: usage error, nothing marked" \
    "$?/$(q 'SELECT id NOT IN (SELECT id FROM unread) FROM items
    WHERE id = 5')" "2/0"

# Writes by another program bypass the counters (feedd keeps them in C,
# in the same transaction as its own writes): --check-db finds them and
# --repair counts again.
uid=$(q "SELECT max(id) FROM unread")
q "INSERT INTO items (feed_id, first_seen, dedupe_key, title)
    VALUES (9, 1, 'outside', 'written by sqlite3');
    DELETE FROM unread WHERE id = 40;
    UPDATE items SET published = 12345 WHERE id = $uid;
    UPDATE items SET starred = 1 WHERE id = 41;"
"$FEEDD" --check-db --db "$T/db" > "$T/checkdb.out" 2>&1
is "after outside writes: check-db reports a problem (exit 2)" "$?" 2
check "naming feed 9" grep -q "feed 9 (file://.*): counters 2 items, [0-9]* unread, [0-9]* starred; counted 3, " \
    "$T/checkdb.out"
# Deleting an indexed item needs the index's tokenizer, which only feedd
# has: the sqlite3 shell refuses, and changes nothing.
q "DELETE FROM items WHERE id = 42" > "$T/del.out" 2>&1
check "sqlite3 cannot delete an indexed item: no such tokenizer" \
    grep -q "no such tokenizer: feedd_html" "$T/del.out"
check "and an unread row that no longer matches its item's date" \
    grep -q "1 unread rows do not match their item" "$T/checkdb.out"
"$FEEDD" --check-db --repair --db "$T/db" > "$T/checkdb.out" 2>&1
check "--repair counts again" \
    grep -q "the counters of [0-9]* feeds* were counted again" "$T/checkdb.out"
check "and mends the unread rows" \
    grep -q "the unread rows were mended" "$T/checkdb.out"
is "the unread row has its item's date again" \
    "$(q "SELECT date FROM unread WHERE id = $uid")" 12345
is "then stats equal a full count" "$(stats)" "$(counted)"
check "and --check-db agrees" "$FEEDD" --check-db --db "$T/db"

# A counter made wrong by hand is found, named, and recounted.
q "UPDATE feeds SET unread_count = unread_count + 5 WHERE id = 3"
"$FEEDD" --check-db --db "$T/db" > "$T/checkdb.out" 2>&1
is "check-db: a wrong counter is a problem (exit 2)" "$?" 2
check "it names the feed and both counts" \
    grep -q "feed 3 (file://.*): counters 2 items, 7 unread, 0 starred; counted 2, 2, 0" \
    "$T/checkdb.out"
"$FEEDD" --check-db --repair --db "$T/db" > "$T/checkdb.out" 2>&1
check "--repair counts again" \
    grep -q "the counters of 1 feed were counted again" "$T/checkdb.out"
check "then the database is OK" "$FEEDD" --check-db --db "$T/db"
is "and stats agree again" "$(stats)" "$(counted)"

stop_feedd

# Retention moves the counters too: feed 10's document now has one new
# item, and --keep-items 1 with keep-unread = no prunes its two old ones.
printf '<rss version="2.0"><channel><title>Feed 0010</title><item><guid>new</guid><title>fresh</title></item></channel></rss>' \
    > "$T/many/f0010.xml"
echo "keep-unread = no" > "$T/prune.conf"
"$FEEDD" --once --config "$T/prune.conf" --feeds "$T/feeds" --db "$T/db" \
    --keep-items 1 2>"$T/once.err"
is "retention: feed 10 keeps its one new item" \
    "$(q "SELECT item_count || '/' || unread_count || ' ' || (SELECT count(*)
        FROM items WHERE feed_id = feeds.id) FROM feeds
        WHERE url LIKE '%/f0010.xml'")" "1/1 1"
check "and --check-db finds every counter right" \
    "$FEEDD" --check-db --db "$T/db"
done_testing
