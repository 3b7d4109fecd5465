#!/bin/sh
# daemon_progress.sh: feedd --once on a terminal shows a progress line
# (feeds done of all, new items, failures) rewritten in place and cleared
# before the summary; not on a terminal (cron's mail) there is none; the
# summary counts in words that agree ("1 feed", "2 feeds").
. "$(dirname "$0")/lib.sh"

mkdir "$T/www"
for n in 1 2 3 4 5 6; do
	cat > "$T/www/f$n.xml" <<XML
<?xml version="1.0"?>
<rss version="2.0"><channel><title>Feed $n</title>
<item><guid>f$n-1</guid><title>One of $n</title></item>
</channel></rss>
XML
done
start_httpd --dir "$T/www"
for n in 1 2 3 4 5 6; do echo "$BASE/f$n.xml"; done > "$T/feeds"
echo "$BASE/missing.xml" >> "$T/feeds"
: > "$T/feedd.conf"
CR=$(printf '\r')

# once DB: feedd --once on the feeds, stderr wherever the caller says.
once() {
	"$FEEDD" --once --config "$T/feedd.conf" --feeds "$T/feeds" \
	    --db "$1" --host-delay 0 --host-conns 1 --max-conns 1
}

# 1. Not a terminal: no progress, the summary only (and the warning).
(unset JOURNAL_STREAM; once "$T/a.db") 2>"$T/plain.err"
is "not a terminal: exit 2 (one feed failed)" "$?" 2
is "not a terminal: no carriage return" "$(grep -c "$CR" "$T/plain.err")" 0
is "not a terminal: no escape sequence" \
    "$(grep -c "$(printf '\033')" "$T/plain.err")" 0
check "the summary: plural feeds and items" grep -q \
    '^feedd: 7 feeds polled, 1 failed, 6 new items$' "$T/plain.err"
is "nothing but the warning and the summary" "$(wc -l < "$T/plain.err" |
    tr -d ' ')" 2

# 2. One feed, one item: singular.
echo "$BASE/f1.xml" > "$T/one"
"$FEEDD" --once --config "$T/feedd.conf" --feeds "$T/one" --db "$T/b.db" \
    2>"$T/one.err"
check "the summary: 1 feed, 1 new item" grep -q \
    '^feedd: 1 feed polled, 0 failed, 1 new item$' "$T/one.err"

# 3. A terminal (script(1) gives feedd a pty): the progress line.
if script -qc true /dev/null >/dev/null 2>&1; then
	FEEDD=$FEEDD T=$T BASE=$BASE script -qc "$FEEDD --once --config \
	    $T/feedd.conf --feeds $T/feeds --db $T/c.db --host-delay 0 \
	    --host-conns 1 --max-conns 1" "$T/tty.out" >/dev/null 2>&1
	check "terminal: a progress line counts feeds, items, failures" \
	    grep -qE "${CR}feedd: [1-6]/7 feeds, [0-9]+ new items?, [01] failed" \
	    "$T/tty.out"
	check "terminal: it is cleared before the summary" grep -q \
	    "${CR}$(printf '\033')\[Kfeedd: 7 feeds polled, 1 failed, 6 new items" \
	    "$T/tty.out"
	check "terminal: the warning is on a line of its own" grep -qE \
	    "${CR}$(printf '\033')\[Kfeedd: warning: $BASE/missing.xml: " \
	    "$T/tty.out"
	FEEDD=$FEEDD script -qc "$FEEDD --once -q --config $T/feedd.conf \
	    --feeds $T/feeds --db $T/e.db --host-delay 0 --host-conns 1 \
	    --max-conns 1" "$T/quiet.out" >/dev/null 2>&1
	is "terminal, -q: no progress line" \
	    "$(grep -c "feeds, .* failed" "$T/quiet.out")" 0
else
	ok "# SKIP script(1) cannot make a terminal"
fi

for f in "$T/plain.err" "$T/one.err"; do
	if grep -q Sanitizer "$f"; then not_ok "no sanitizer report in $f"
	else ok "no sanitizer report in $f"; fi
done
done_testing
