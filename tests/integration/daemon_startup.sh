#!/bin/sh
# daemon_startup.sh: what feedd says as it starts.  --foreground logs
# "ready: ..." once the socket listens, and its lines carry the time when
# stderr is not the journal (none when it is); a second feedd refused
# because a daemon answers on the socket creates nothing (no database, no
# -wal/-shm, no lock, no state directory) and names the first one's pid;
# bad flags are named, each message starting with "feedd: ".
. "$(dirname "$0")/lib.sh"

mkdir "$T/www"
cat > "$T/www/a.xml" <<'XML'
<?xml version="1.0"?>
<rss version="2.0"><channel><title>A</title>
<item><guid>a-1</guid><title>One</title></item>
</channel></rss>
XML
start_httpd --dir "$T/www"
echo "$BASE/a.xml" > "$T/feeds"
: > "$T/feedd.conf"
SOCK=$T/feedd.sock
ctl() { "$FEEDCTL" --socket "$SOCK" "$@"; }

# 1. Ready, with timestamps (stderr is a file, no JOURNAL_STREAM).
(unset JOURNAL_STREAM; exec "$FEEDD" --foreground --config "$T/feedd.conf" \
    --feeds "$T/feeds" --db "$T/state/feedd.db" --socket "$SOCK" \
    2>"$T/first.err") &
PIDS="$PIDS $!"
FPID=$!
wait_for 300 ctl version || { echo "Bail out! feedd did not start"; exit 1; }
wait_for 50 grep -q "ready:" "$T/first.err"
check "--foreground says it is ready, with the feeds and the socket" \
    grep -qE "feedd: ready: 1 feed, database $T/state/feedd.db, socket $SOCK\$" \
    "$T/first.err"
check "the ready line carries the time" grep -qE \
    '^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2} feedd: ready:' \
    "$T/first.err"

# 2. A second feedd with a fresh database path: refused, nothing made.
"$FEEDD" --foreground --config "$T/feedd.conf" --feeds "$T/feeds" \
    --db "$T/fresh/sub/feedd.db" --socket "$SOCK" 2>"$T/second.err"
is "a second feedd on the socket is refused" "$?" 1
check "it names the socket" grep -qF "$SOCK" "$T/second.err"
check "and the first one's pid" grep -q "pid $FPID" "$T/second.err"
check "its message starts with feedd:" grep -q '^feedd: ' "$T/second.err"
check "it made no state directory" test ! -e "$T/fresh"
"$FEEDD" --foreground --config "$T/feedd.conf" --feeds "$T/feeds" \
    --db "$T/fresh.db" --socket "$SOCK" 2>/dev/null
is "refused again (existing directory)" "$?" 1
is "no database, -wal, -shm or lock" \
    "$(ls "$T" | grep -c '^fresh\.db')" 0
check "the first one still answers" ctl version
kill "$FPID"
wait "$FPID"
is "the first one exits 0" "$?" 0

# 3. Under the journal: the ready line, without a time.
: > "$T/journal.err"
js=$(stat -c '%d:%i' "$T/journal.err")
JOURNAL_STREAM=$js "$FEEDD" --foreground --config "$T/feedd.conf" \
    --feeds "$T/feeds" --db "$T/state/feedd.db" --socket "$SOCK" \
    2>>"$T/journal.err" &
PIDS="$PIDS $!"
JPID=$!
wait_for 300 ctl version || not_ok "feedd under the journal started"
wait_for 50 grep -q "ready:" "$T/journal.err"
check "journal: the ready line, a notice" grep -q '^<5>ready: 1 feed,' \
    "$T/journal.err"
is "journal: no time on any line" \
    "$(grep -cE '^(<[0-7]>)?[0-9]{4}-[0-9]{2}-[0-9]{2} ' "$T/journal.err")" 0
kill "$JPID"
wait "$JPID"

# 4. Flags.
"$FEEDD" --foo 2>"$T/f1.err"
is "--foo: exit 1" "$?" 1
check "--foo is an unknown option" grep -q '^feedd: unknown option: --foo$' \
    "$T/f1.err"
check "--foo: no 'needs a value'" sh -c "! grep -q 'needs a value' '$T/f1.err'"
check "--foo: a usage hint" grep -q '^feedd: .*--help' "$T/f1.err"
"$FEEDD" --foo bar -n 2>"$T/f2.err"
is "--foo bar: exit 1" "$?" 1
check "--foo bar: unknown option" grep -q '^feedd: unknown option: --foo$' \
    "$T/f2.err"
"$FEEDD" -n --config "$T/feedd.conf" --feeds "$T/feeds" \
    --max-conns 99999999999999999999999 2>"$T/f3.err"
is "a huge number: exit 1" "$?" 1
check "a huge number is too large" grep -q \
    '^feedd: --max-conns: number "99999999999999999999999" too large (at most 1024)$' \
    "$T/f3.err"
"$FEEDD" -n --config "$T/feedd.conf" --feeds "$T/feeds" \
    --max-conns abc 2>"$T/f4.err"
check "not a number is still invalid" grep -q \
    '^feedd: --max-conns: invalid number "abc"$' "$T/f4.err"
"$FEEDD" -n --config "$T/feedd.conf" --feeds "$T/feeds" --max-conns \
    2>"$T/f5.err"
check "a known option without its value needs one" grep -q \
    '^feedd: --max-conns needs a value$' "$T/f5.err"
"$FEEDD" -x 2>"$T/f6.err"
check "-x is an unknown option" grep -q '^feedd: unknown option: -x$' \
    "$T/f6.err"
is "every flag message starts with feedd:" \
    "$(cat "$T"/f[1-6].err | grep -vc '^feedd: ')" 0

for f in "$T/first.err" "$T/second.err" "$T/journal.err"; do
	if grep -q Sanitizer "$f"; then not_ok "no sanitizer report in $f"
	else ok "no sanitizer report in $f"; fi
done
done_testing
