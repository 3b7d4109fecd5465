#!/bin/sh
# ctl_offline.sh: cron users run `feedd --once` and no daemon; feedctl then
# reads the store through `feedd --stdio` all the same.  Feeds come from the
# real HTTP server; the daemon's socket does not exist.
. "$(dirname "$0")/ctl_lib.sh"

rss a.xml alpha "a1|First alpha|one|Mon, 02 Jan 2023 10:00:00 +0000" \
    "a2|Second alpha|two|Tue, 03 Jan 2023 10:00:00 +0000"
rss b.xml beta "b1|Only beta|three|Wed, 04 Jan 2023 10:00:00 +0000"
start_httpd --dir "$T/www"
printf '%s\n' "$BASE/a.xml news \"hardware news\"" "$BASE/b.xml \"~Beta feed\"" > "$T/feeds"
once() {
	"$FEEDD" --once --config "$T/empty.conf" --feeds "$T/feeds" \
	    --db "$T/db" --socket "$SOCK" --host-delay 0 --host-conns 8
}
off() {
	"$FEEDCTL" -s "$SOCK" --db "$T/db" "$@"
}

check "feedd --once stores the feeds" once
check "no daemon socket exists" test ! -e "$SOCK"

off > "$T/new.out" 2> "$T/new.err"
is "feedctl without a daemon exits 0" "$?" 0
is "it lists the three unread items" \
    "$(grep -c 'First alpha\|Second alpha\|Only beta' "$T/new.out")" 3
check "it tells how many are unread" grep -q '^3 unread items in 2 feeds' "$T/new.out"
check "the feeds file title names the group" grep -q '^Beta feed' "$T/new.out"

off --json items > "$T/items.json"
is "--json items gives one object per item" "$(wc -l < "$T/items.json")" 3
id=$(sed -n 's/.*"id": *\([0-9][0-9]*\).*"title": *"Only beta".*/\1/p' "$T/items.json")
[ -z "$id" ] && id=$(grep '"Only beta"' "$T/items.json" | sed -n 's/^{"id": *\([0-9]*\).*/\1/p')
check "the beta item has an id" test -n "$id"
check "marking it read works offline" off read "$id"
off > "$T/new2.out"
check "two unread remain" grep -q '^2 unread items in 1 feed' "$T/new2.out"
check "the read mark is in the database" \
    sh -c "test \"\$(sqlite3 '$T/db' 'select id not in (select id from unread) from items where guid=\"b1\"')\" = 1"

is "a quoted tag with a space selects its feed" \
    "$(off --json items --tag 'hardware news' | wc -l)" 2
is "a word of that tag selects nothing" \
    "$(off --json items --tag hardware | wc -l)" 0

off refresh > "$T/refresh.out" 2>&1
is "refresh needs the daemon: exit 1" "$?" 1
check "refresh says feedd is not running" grep -q 'feedd is not running' "$T/refresh.out"
off follow > "$T/follow.out" 2>&1
is "follow needs the daemon: exit 1" "$?" 1
off reload > "$T/reload.out" 2>&1
is "reload needs the daemon: exit 1" "$?" 1
check "reload says feedd is not running" grep -q 'feedd is not running' "$T/reload.out"
off stats > "$T/stats.out" 2>&1
is "stats works offline" "$?" 0
check "stats counts the store's items" grep -q '^items: *3 (2 unread' "$T/stats.out"
check "and no daemon counters, made up or not" \
    sh -c '! grep -q "^polls:\\|^uptime:\\|^clients:" "$0"' "$T/stats.out"
check "but says the daemon is not running" grep -q "^feedd is not running$" "$T/stats.out"
off --json stats > "$T/stats.out" 2>&1
check "stats --json offline: daemon false" grep -q '"daemon":false' "$T/stats.out"
check "stats --json offline: no daemon counters" \
    sh -c '! grep -q "uptime\\|clients\\|polls" "$0"' "$T/stats.out"
off search beta > "$T/search.out" 2>&1
is "search works offline, the index caught up first" \
    "$?/$(grep -c 'Only beta' "$T/search.out")" "0/1"

# A second --once polls conditionally and the store is read again.
rss b.xml beta "b1|Only beta|three|Wed, 04 Jan 2023 10:00:00 +0000" \
    "b2|New beta|four|Thu, 05 Jan 2023 10:00:00 +0000"
check "a second feedd --once" once
off > "$T/new3.out"
check "the new item shows up" grep -q 'New beta' "$T/new3.out"
check "the read item stays read" sh -c "! grep -q 'Only beta' '$T/new3.out'"

# open: the link is one argument however $BROWSER quotes %s (issue 11).
rss c.xml gamma "sp ace*|Spacey link|four|Thu, 05 Jan 2023 10:00:00 +0000"
echo "$BASE/c.xml" >> "$T/feeds"
check "a third feedd --once" once
printf '#!/bin/sh\nprintf "%%s\\n" "$#" "$1" > "%s"\n' "$T/opened" > "$T/br.sh"
chmod +x "$T/br.sh"
sid=$(off --json items --search Spacey | "$PYTHON3" -c 'import json, sys
print(json.loads(sys.stdin.readline())["id"])')
for form in '"%s"' "'%s'" '%s' ''; do
	rm -f "$T/opened"
	BROWSER="$T/br.sh $form" off open "$sid" > /dev/null 2>&1
	is "BROWSER='br.sh $form': the link with a space is one argument" \
	    "$(tr '\n' '|' < "$T/opened" 2>/dev/null)" \
	    "1|http://example.org/sp ace*|"
done

"$FEEDCTL" -s "$SOCK" --db "$T/nothing.db" > "$T/nodb.out" 2>&1
is "no daemon and no database: exit 3" "$?" 3
check "the message names the missing database" grep -q 'nothing.db' "$T/nodb.out"
check "no database file was created" test ! -e "$T/nothing.db"

"$FEEDCTL" -s "$SOCK" > "$T/nosock.out" 2>&1
is "an explicit socket and no --db: exit 3" "$?" 3
check "the message says how to start feedd" grep -q 'is feedd running' "$T/nosock.out"

done_testing
