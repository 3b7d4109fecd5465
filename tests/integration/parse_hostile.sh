#!/bin/sh
# parse_hostile.sh: `feedctl parse` against hostile documents.  Each must end
# (timeout is only a guard against hangs) with the expected exit status,
# never by a signal, never printing what the document did not contain, and
# naming the file:line:column on errors.  Big inputs are generated into $T.
. "$(dirname "$0")/lib.sh"

H=$DATA/hostile

# run NAME WANT_STATUS FILE: parse FILE into $T/NAME.out and .err.
run() {
	timeout 60 "$FEEDCTL" parse --base http://example.com/ "$3" \
	    >"$T/$1.out" 2>"$T/$1.err"
	rc=$?
	if [ "$rc" -lt 128 ] && [ "$rc" -ne 124 ]; then
		ok "$1: ends without a crash or hang"
	else
		not_ok "$1: ends without a crash or hang (status $rc)"
		sed 's/^/#   /' "$T/$1.err" | head -20
	fi
	is "$1: exit status" "$rc" "$2"
}

# run_any NAME FILE: like run, for exit status 0 or 1.
run_any() {
	timeout 60 "$FEEDCTL" parse --base http://example.com/ "$2" \
	    >"$T/$1.out" 2>"$T/$1.err"
	rc=$?
	if [ "$rc" -le 1 ]; then
		ok "$1: exit 0 or 1"
	else
		not_ok "$1: exit 0 or 1 (status $rc)"
		sed 's/^/#   /' "$T/$1.err" | head -20
	fi
}

# no_passwd NAME: nothing from /etc/passwd in the output.
no_passwd() {
	if grep -q 'root:' "$T/$1.out" "$T/$1.err"; then
		not_ok "$1: /etc/passwd not disclosed"
	else
		ok "$1: /etc/passwd not disclosed"
	fi
}

# err_like NAME REGEX: stderr is one FILE:LINE:COLUMN: message line.
err_like() {
	if grep -Eq "$2" "$T/$1.err" && [ "$(wc -l <"$T/$1.err")" -eq 1 ]; then
		ok "$1: error names file:line:column"
	else
		not_ok "$1: error names file:line:column"
		echo "#   got: $(head -3 "$T/$1.err")"
	fi
}

# valid_json NAME: stdout is one valid JSON document.
valid_json() {
	if "$PYTHON3" -c 'import json,sys; json.load(open(sys.argv[1]))' \
	    "$T/$1.out" 2>/dev/null; then
		ok "$1: output is valid JSON"
	else
		not_ok "$1: output is valid JSON"
	fi
}

# Billion laughs: declared entities are never expanded.
run laughs 0 "$H/billion-laughs.xml"
valid_json laughs
is "laughs: output stays small" "$(($(wc -c <"$T/laughs.out") < 1000))" 1
grep -q '"content_html": "a &amp; b <p></p>"' "$T/laughs.out" &&
    ok "laughs: entities after the attack still decoded" ||
    not_ok "laughs: entities after the attack still decoded"

# Quadratic blowup: a 1000-byte entity referenced 100000 times (100 MB if
# expanded in full): expansion stops at 1 MB, the rest stays as text.
"$PYTHON3" -c 'import sys
sys.stdout.write("<?xml version=\"1.0\"?>\n<!DOCTYPE rss [<!ENTITY a \"" + "x" * 1000 +
    "\">]>\n<rss version=\"2.0\"><channel><item><guid>q-1</guid><description>" +
    "&a;" * 100000 + "</description></item></channel></rss>\n")' >"$T/quadratic.xml"
run quadratic 0 "$T/quadratic.xml"
valid_json quadratic
is "quadratic: output stays bounded" \
    "$(($(wc -c <"$T/quadratic.out") < 4 * 1024 * 1024))" 1

# External entities, external parameter entities and DTDs: never loaded.
for f in xxe-file xxe-param external-dtd; do
	run "$f" 0 "$H/$f.xml"
	no_passwd "$f"
	valid_json "$f"
done
grep -q '"title": "Item &xxe;"' "$T/xxe-file.out" &&
    ok "xxe-file: the item is there, the reference left as text" ||
    not_ok "xxe-file: the item is there, the reference left as text"

# Deep nesting, 100k levels: refused, quickly, without a stack overflow.
"$PYTHON3" -c 'import sys
sys.stdout.write("<rss><channel>" + "<a>" * 100000 + "</a>" * 100000 +
    "</channel></rss>")' >"$T/deep.xml"
run deep 1 "$T/deep.xml"
err_like deep "^$T/deep.xml:1:[0-9]+: .*(deep|depth)"

# The same for JSON.
"$PYTHON3" -c 'import sys
sys.stdout.write("{\"version\":\"https://jsonfeed.org/version/1.1\",\"items\":" +
    "[" * 100000 + "]" * 100000 + "}")' >"$T/deep.json"
run deep-json 1 "$T/deep.json"
err_like deep-json "^$T/deep.json:[0-9]+:[0-9]+: "

# Truncated: the items before the cut are printed, the status says error.
run truncated 1 "$H/truncated.xml"
err_like truncated "^$H/truncated.xml:[0-9]+:[0-9]+: document is truncated"
grep -q '"id": "complete-1"' "$T/truncated.out" &&
    ok "truncated: complete item delivered" ||
    not_ok "truncated: complete item delivered"
grep -q 'Halb' "$T/truncated.out" &&
    not_ok "truncated: no half item" || ok "truncated: no half item"
valid_json truncated

# Garbage, an empty file, an HTML page: errors, not empty feeds.
run garbage 1 "$H/garbage.bin"
err_like garbage "^$H/garbage.bin:1:[0-9]+: "
is "garbage: nothing on stdout" "$(wc -c <"$T/garbage.out")" 0
run empty 1 "$H/empty.xml"
err_like empty "^$H/empty.xml:1:1: empty document$"
run html 1 "$H/html-page.html"
err_like html "^$H/html-page.html:[0-9]+:[0-9]+: not a feed: HTML document$"
is "html: nothing on stdout" "$(wc -c <"$T/html.out")" 0
run bad-unicode 1 "$H/bad-unicode.json"
err_like bad-unicode "^$H/bad-unicode.json:1:[0-9]+: "
if LC_ALL=C grep -q "$(printf '[\001-\010\016-\037]')" "$T/bad-unicode.err"; then
	not_ok "bad-unicode: no control characters on stderr"
else
	ok "bad-unicode: no control characters on stderr"
fi

# NUL bytes are dropped; the rest of the document is read.
run nul 0 "$H/nul-bytes.xml"
valid_json nul
grep -q '"title": "ab"' "$T/nul.out" && ok "nul: title without NULs" ||
    not_ok "nul: title without NULs"
grep -q '"id": "nul-1"' "$T/nul.out" && ok "nul: guid without NULs" ||
    not_ok "nul: guid without NULs"

# A 1 MB attribute is read; one over libxml2's 10 MB limit for a single
# name or value (we never ask for XML_PARSE_HUGE) is a clean error.
for size in 1 11; do
	"$PYTHON3" -c 'import sys
sys.stdout.write("<rss><channel><item><title>big</title><enclosure url=\"http://e.com/" +
    "x" * (int(sys.argv[1]) * 1024 * 1024) + "\" type=\"a/b\"/><guid>big-1</guid></item></channel></rss>")' \
	    "$size" >"$T/attr$size.xml"
done
run attr1 0 "$T/attr1.xml"
grep -q '"id": "big-1"' "$T/attr1.out" && ok "attr1: item delivered" ||
    not_ok "attr1: item delivered"
run attr11 1 "$T/attr11.xml"
err_like attr11 "^$T/attr11.xml:1:[0-9]+: "

# 70 MB, over the 64 MB input cap: refused with an error naming the cap.
"$PYTHON3" -c 'import sys
item = "<item><title>Filler</title><description>" + "x" * 1000 + "</description></item>\n"
sys.stdout.write("<rss version=\"2.0\"><channel><title>big</title>\n")
for i in range(70 * 1024):
    sys.stdout.write(item.replace("Filler", "Filler %d" % i))
sys.stdout.write("</channel></rss>\n")' >"$T/huge.xml"
run huge 1 "$T/huge.xml"
err_like huge "^$T/huge.xml:[0-9]+:[0-9]+: .*limit"
valid_json huge
rm -f "$T/huge.xml"

# Over the cap as JSON, from stdin.
"$PYTHON3" -c 'import sys
sys.stdout.write("{\"version\":\"https://jsonfeed.org/version/1.1\",\"items\":[")
for i in range(70 * 1024):
    sys.stdout.write("{\"id\":\"%d\",\"content_text\":\"%s\"}," % (i, "y" * 1000))
sys.stdout.write("{}]}")' >"$T/huge.json"
timeout 60 "$FEEDCTL" parse - <"$T/huge.json" >"$T/hj.out" 2>"$T/hj.err"
is "huge JSON from stdin: exit status" "$?" 1
err_like hj "^<stdin>:[0-9]+:[0-9]+: .*limit"
rm -f "$T/huge.json"

# Whatever else lands in tests/data/hostile (fuzzer finds): no crash, any
# output is valid JSON, and error messages are valid UTF-8 too (they quote
# the input, and end up in the feed status and the journal).  In a
# sanitizer build a leak report exits 1 like a parse error, so stderr is
# checked for one.
for f in "$H"/*; do
	name=file-$(basename "$f")
	run_any "$name" "$f"
	if grep -q 'Sanitizer' "$T/$name.err"; then
		not_ok "$name: no sanitizer report"
		grep -E 'ERROR|SUMMARY' "$T/$name.err" | sed 's/^/#   /'
	else
		ok "$name: no sanitizer report"
	fi
	if [ -s "$T/$name.out" ]; then
		valid_json "$name"
	fi
	check "$name: stderr is valid UTF-8" "$PYTHON3" -c \
	    'import sys; open(sys.argv[1], "rb").read().decode("utf-8")' \
	    "$T/$name.err"
done

done_testing
