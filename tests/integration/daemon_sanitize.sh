#!/bin/sh
# daemon_sanitize.sh: a served feed with every kind of active content
# (script, style, on* handlers, javascript:, data:, vbscript:, entity-
# encoded and mixed-case schemes, xml:base tricks, SVG with script, forms,
# iframes) stores nothing active in any field: not in `feedctl --json
# items`, not in the feeds table, not in `feedctl --json show`.  What is
# safe stays: text, allowed markup, http(s) and mailto links made absolute.
# The daemon counts what it dropped (stats unsafe_dropped).
. "$(dirname "$0")/ctl_lib.sh"

H=$top_srcdir/tests/data/hostile
cp "$H/active-content.xml" "$H/active-content.json" "$T/www/"
start_httpd --dir "$T/www"
printf '%s\n' "$BASE/active-content.xml" "$BASE/active-content.json" \
    > "$T/feeds"

# Whatever a browser or a notifier could run, in any spelling.
active() {
	grep -Eio '<script|<style|<iframe|<object|<embed|<svg|<math|<form|<input|<meta|<base|\bon[a-z]+ *=|javascript:|vbscript:|data:[a-z]|style=|srcdoc' "$1"
}

start_feedd
wait_for 100 has_items 3 || not_ok "three items stored"
is "three items stored" "$(stat_of items)" 3

ctl items --json > "$T/items" 2>"$T/err"
is "items --json exit status" "$?" 0
is "items --json lists both feeds' items" "$(wc -l < "$T/items")" 3
is "nothing active in any field of --json items" "$(active "$T/items")" ""
for id in $(ctl items --json | sed -n 's/.*"id":\([0-9]*\).*/\1/p'); do
	ctl --json show "$id"
done > "$T/show"
is "show --json printed the three items" \
    "$(grep -c '"content"' "$T/show")" 3
is "nothing active in any field of --json show" "$(active "$T/show")" ""
ctl feeds --json > "$T/feeds.json"
is "nothing active in the feeds' fields" "$(active "$T/feeds.json")" ""
grep -q '"site_url":"javascript' "$T/feeds.json" &&
    not_ok "javascript: home page dropped" || ok "javascript: home page dropped"

# What is safe is kept, made absolute against the feed's URL.
check "text and allowed markup kept" grep -q 'Kept <b>bold</b> text' "$T/show"
check "http link kept" grep -q 'href=\\"http://example.org/ok\\"' "$T/show"
check "mailto link kept" grep -q 'href=\\"mailto:ed@example.org\\"' "$T/show"
check "relative link made absolute" \
    grep -q "href=\\\\\"$BASE/relative/page.html\\\\\"" "$T/show"
check "image made absolute, its bad srcset candidate dropped" \
    grep -q "src=\\\\\"$BASE/ok.png\\\\\" srcset=\\\\\"$BASE/ok2.png 2x\\\\\"" \
    "$T/show"
check "xml:base javascript: ignored: the link resolves against the feed" \
    grep -q "\"url\":\"$BASE/page\"" "$T/show"
check "magnet: attachment kept" grep -q 'magnet:?xt=urn:btih' "$T/show"
check "a text summary is escaped, not dropped" \
    grep -q '&lt;script&gt;alert' "$T/show"

n=$(stat_of unsafe_dropped)
check "stats counts what was dropped ($n)" test "${n:-0}" -ge 30
check "feedctl stats shows it" sh -c "\"$FEEDCTL\" -s \"$SOCK\" stats |
    grep -q '^unsafe: *$n dropped'"
stop_feedd

# feedctl parse prints the same safe document, and says what it dropped.
"$FEEDCTL" --json parse --base "$BASE/active-content.xml" \
    "$H/active-content.xml" > "$T/parse" 2>"$T/parse.err"
is "parse exit status" "$?" 0
is "nothing active in feedctl parse" "$(active "$T/parse")" ""
check "parse names the file and counts" \
    grep -q "active-content.xml: dropped [0-9]* active" "$T/parse.err"
done_testing
