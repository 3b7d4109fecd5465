#!/bin/sh
# parse_golden.sh: `feedctl parse` output for each fixture in tests/data/parse
# must equal its hand-written .ok file (JSON Feed 1.1 text).  Every fixture
# is parsed with the same --base, so relative links have a known result.
# Set UPDATE=1 to see the program's output next to each .ok instead; the
# .ok files are written by hand, never copied from that output.
. "$(dirname "$0")/lib.sh"

BASEURL=http://example.com/feeds/index.xml
n=0
for f in "$DATA"/parse/*.xml "$DATA"/parse/*.rdf "$DATA"/parse/*.json; do
	[ -f "$f" ] || continue
	ok=${f%.*}.ok
	name=$(basename "$f")
	n=$((n + 1))
	if [ ! -f "$ok" ]; then
		not_ok "$name: no .ok file"
		continue
	fi
	"$FEEDCTL" parse --base "$BASEURL" "$f" >"$T/out" 2>"$T/err"
	rc=$?
	is "$name: exit status" "$rc" 0
	if diff -u "$ok" "$T/out" >"$T/diff" 2>&1; then
		ok "$name: output matches .ok"
	else
		not_ok "$name: output matches .ok"
		sed 's/^/#   /' "$T/diff" | head -60
	fi
	is "$name: nothing on stderr" "$(cat "$T/err")" ""
	# The same document from stdin, in one go, gives the same output.
	"$FEEDCTL" parse --base "$BASEURL" - <"$f" >"$T/out2" 2>/dev/null
	if cmp -s "$T/out" "$T/out2"; then
		ok "$name: same from stdin"
	else
		not_ok "$name: same from stdin"
	fi
done
[ "$n" -ge 15 ] && ok "found $n fixtures" || not_ok "found $n fixtures"

# Usage errors exit 2.
"$FEEDCTL" parse >/dev/null 2>&1
is "no file: exit 2" "$?" 2
"$FEEDCTL" parse --bogus x >/dev/null 2>&1
is "unknown flag: exit 2" "$?" 2
"$FEEDCTL" parse "$T/does-not-exist.xml" >/dev/null 2>"$T/err"
is "missing file: exit 1" "$?" 1
grep -q "does-not-exist.xml" "$T/err" && ok "missing file named" ||
    not_ok "missing file named"
done_testing
