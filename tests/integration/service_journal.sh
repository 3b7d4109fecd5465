#!/bin/sh
# service_journal.sh: when stderr is the journal stream systemd named in
# JOURNAL_STREAM (dev:ino), every log line starts with a "<N>" syslog
# priority prefix and carries no timestamp or program name (the journal
# adds them); otherwise lines read "feedd: ..." without prefixes.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/service_lib.sh"

mkdir "$T/www"
rss a 2 >"$T/www/a.xml"
start_httpd --dir "$T/www"
# Line 1 polls fine, line 2 has an unknown option (a warning), line 3 is a
# Newsboat query feed (skipped with a notice), line 4 gets a 404.
cat >"$T/feeds" <<EOF
$BASE/a.xml
$BASE/a.xml?x=1 bogus=1
"query:Unread:unread = \"yes\""
$BASE/missing.xml
EOF
: >"$T/feedd.conf"

# run_once ERRFILE JOURNAL_STREAM ARGS...: feedd --once, stderr to ERRFILE.
run_once() {
	_err=$1 _js=$2; shift 2
	if [ -n "$_js" ]; then
		JOURNAL_STREAM=$_js "$FEEDD" --once --config "$T/feedd.conf" \
		    --feeds "$T/feeds" --db "$T/feedd.db" --host-delay 0s \
		    --host-conns 8 "$@" 2>>"$_err"
	else
		(unset JOURNAL_STREAM; "$FEEDD" --once --config "$T/feedd.conf" \
		    --feeds "$T/feeds" --db "$T/feedd.db" --host-delay 0s \
		    --host-conns 8 "$@" 2>>"$_err")
	fi
}

# 1. stderr is the journal stream: "<N>" prefixes.
: >"$T/journal.err"
js=$(stat -c '%d:%i' "$T/journal.err")
run_once "$T/journal.err" "$js" -v -v
check "feedd --once logged something" test -s "$T/journal.err"
bad=$(grep -v '^<[0-7]>' "$T/journal.err" | head -5)
is "every line starts with <N>" "$bad" ""
for p in 4 5 6 7; do
	check "a line at priority <$p>" grep -q "^<$p>" "$T/journal.err"
done
check "the warning is <4> and names FILE:LINE" \
    grep -q "^<4>.*$T/feeds:2:" "$T/journal.err"
check "the notice for the Newsboat query is <5> and names FILE:LINE" \
    grep -q "^<5>.*$T/feeds:3:" "$T/journal.err"
is "no program name after the prefix" \
    "$(grep -c '^<[0-7]>feedd:' "$T/journal.err")" 0
is "no timestamp after the prefix" \
    "$(grep -cE '^<[0-7]>([0-9]{4}-[0-9]{2}-[0-9]{2}|[A-Z][a-z]{2} [ 0-9][0-9] [0-9]{2}:)' \
    "$T/journal.err")" 0

# An error that stops feedd is <3>.
: >"$T/fatal.err"
js=$(stat -c '%d:%i' "$T/fatal.err")
JOURNAL_STREAM=$js "$FEEDD" --once --config "$T/feedd.conf" \
    --feeds "$T/feeds" --db /dev/null/feedd.db 2>>"$T/fatal.err"
rc=$?
if [ "$rc" -ne 0 ]; then ok "an unusable database stops feedd (status $rc)"; else not_ok "an unusable database stops feedd"; fi
check "the fatal error is <3>" grep -q '^<3>.*/dev/null/feedd.db' "$T/fatal.err"

# 2. JOURNAL_STREAM names another file: plain lines.
: >"$T/other.err"
run_once "$T/other.err" "$js" -v
check "feedd --once logged something (other stream)" test -s "$T/other.err"
is "no <N> prefixes when stderr is not the named stream" \
    "$(grep -c '^<[0-7]>' "$T/other.err")" 0
check "lines read feedd: ..." grep -q '^feedd: warning: ' "$T/other.err"

# 3. No JOURNAL_STREAM: plain lines.
: >"$T/plain.err"
run_once "$T/plain.err" "" -v
is "no <N> prefixes without JOURNAL_STREAM" \
    "$(grep -c '^<[0-7]>' "$T/plain.err")" 0
is "every line starts with feedd:" \
    "$(grep -vc '^feedd: ' "$T/plain.err")" 0

no_sanitizer_report "$T/journal.err" "$T/fatal.err" "$T/other.err" "$T/plain.err"
done_testing
