#!/bin/sh
# fuzz/regress.sh BUILDDIR: the fuzzers' regression run.  Every fuzz target
# built in BUILDDIR (fuzz/fuzz_NAME) runs once over each file of its seed
# corpus (fuzz/corpus/NAME) and over the reproducers kept for it in
# tests/data/hostile (fuzz-NAME-WHAT.bin).  The parser targets, fuzz_parse,
# fuzz_jsonfeed and fuzz_decode, take every file of tests/data/hostile:
# each is a document.  A crash, a sanitizer report or a broken property ("FUZZ
# PROPERTY FAILED") fails the run; its log is shown.  Nothing is written to
# the corpus.  Exit 0 when every target passed, 1 otherwise.
set -u

if [ $# -ne 1 ] || [ ! -d "$1/fuzz" ]; then
	echo "usage: $0 BUILDDIR (a build configured with --enable-fuzzing)" >&2
	exit 2
fi
B=$(cd "$1" && pwd)
SRC=$(cd "$(dirname "$0")/.." && pwd)
HOSTILE=$SRC/tests/data/hostile
T=$(mktemp -d "${TMPDIR:-/tmp}/feedd-regress.XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM

n=0
failed=0
for bin in "$B"/fuzz/fuzz_*; do
	case $bin in *.o) continue ;; esac
	[ -x "$bin" ] || continue
	name=${bin##*/fuzz_}
	set --
	for f in "$SRC/fuzz/corpus/$name"/* "$HOSTILE/fuzz-$name-"*; do
		[ -f "$f" ] && set -- "$@" "$f"
	done
	case $name in
	parse|jsonfeed|decode)
		for f in "$HOSTILE"/*; do
			case $f in "$HOSTILE/fuzz-$name-"*) continue ;; esac
			[ -f "$f" ] && set -- "$@" "$f"
		done
		;;
	esac
	n=$((n + 1))
	if [ $# -eq 0 ]; then
		echo "not ok $n - fuzz_$name: no inputs"
		failed=$((failed + 1))
		continue
	fi
	count=$#
	if "$bin" -timeout=30 -rss_limit_mb=2048 "$@" >"$T/log" 2>&1 &&
	    ! grep -q 'FUZZ PROPERTY FAILED' "$T/log"; then
		echo "ok $n - fuzz_$name: $count inputs"
	else
		echo "not ok $n - fuzz_$name: $count inputs"
		grep -E 'FUZZ PROPERTY FAILED|ERROR: |SUMMARY: |^Running: ' \
		    "$T/log" | tail -n 20 | sed 's/^/#   /'
		failed=$((failed + 1))
	fi
done
if [ "$n" -eq 0 ]; then
	echo "no fuzz targets in $B/fuzz: configure with --enable-fuzzing" >&2
	exit 1
fi
echo "1..$n"
[ "$failed" -eq 0 ]
