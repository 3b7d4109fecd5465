#!/bin/sh
# fuzz/run.sh BUILDDIR SECONDS [NAME ...]: fuzz each target (all built in
# BUILDDIR/fuzz, or the NAMEs given: parse, html, ...) for SECONDS of its
# own, one after the other, from a scratch copy of its seed corpus
# (fuzz/corpus/NAME) with its dictionary.  Findings go to
# BUILDDIR/fuzz-art/NAME/; the grown corpus to BUILDDIR/fuzz-corpus/NAME/.
# At the end one line per target: wall and CPU seconds, executions, corpus size and
# findings; the exit status is 1 when any target found something.
set -u

if [ $# -lt 2 ] || [ ! -d "$1/fuzz" ]; then
	echo "usage: $0 BUILDDIR SECONDS [NAME ...]" >&2
	exit 2
fi
B=$(cd "$1" && pwd)
SECS=$2
shift 2
SRC=$(cd "$(dirname "$0")/.." && pwd)
if [ $# -eq 0 ]; then
	for bin in "$B"/fuzz/fuzz_*; do
		case $bin in *.o) continue ;; esac
		[ -x "$bin" ] && set -- "$@" "${bin##*/fuzz_}"
	done
fi
report=$B/fuzz-report.txt	# appended to: runs may go side by side
found=0
for name in "$@"; do
	bin=$B/fuzz/fuzz_$name
	if [ ! -x "$bin" ]; then
		echo "$0: no target $bin" >&2
		exit 2
	fi
	case $name in
	parse|decode) dict=xml ;;
	jsonfeed) dict=json ;;
	fts|render|sanitize) dict=html ;;
	server) dict=proto ;;
	*) dict=$name ;;
	esac
	corpus=$B/fuzz-corpus/$name
	art=$B/fuzz-art/$name
	mkdir -p "$corpus" "$art"
	cp "$SRC/fuzz/corpus/$name"/* "$corpus/" 2>/dev/null
	log=$B/fuzz-$name.log
	start=$(date +%s)
	# -fork=1 keeps fuzzing past a finding; each is saved in $art.
	# GNU time, where there is one, gives the CPU seconds (the jobs'
	# too: libFuzzer waits for them).
	timer=
	[ -x /usr/bin/time ] && timer="/usr/bin/time -f %U+%S -o $B/fuzz-$name.cpu"
	$timer "$bin" -dict="$SRC/fuzz/dict/$dict.dict" -max_len=16384 -timeout=10 \
	    -rss_limit_mb=2048 -max_total_time="$SECS" -fork=1 \
	    -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
	    -artifact_prefix="$art/" "$corpus" >"$log" 2>&1
	end=$(date +%s)
	# libFuzzer's fork mode ends with "INFO: fuzzed for N seconds, ...,
	# N execs"; the last "#N" status line is the count otherwise.
	execs=$(grep -o 'execs: [0-9]*' "$log" | tail -n 1 | cut -d' ' -f2)
	[ -n "$execs" ] || execs=$(grep -o '^#[0-9]*' "$log" | tail -n 1 |
	    tr -d '#')
	cpu=?
	[ -s "$B/fuzz-$name.cpu" ] &&
	    cpu=$(tail -n 1 "$B/fuzz-$name.cpu" | awk -F+ '{ print $1 + $2 }')
	# A slow unit is an input that took over 10 s once: on a busy or
	# stopped (SIGSTOP) machine it is no finding; each is listed apart.
	nart=$(find "$art" -type f ! -name 'slow-unit-*' | wc -l)
	nslow=$(find "$art" -type f -name 'slow-unit-*' | wc -l)
	ncorp=$(find "$corpus" -type f | wc -l)
	[ "$nart" -eq 0 ] || found=1
	printf 'fuzz_%s: %ss wall, %s s CPU, %s executions, corpus %s, findings %s, slow units %s\n' \
	    "$name" "$((end - start))" "${cpu:-?}" "${execs:-?}" "$ncorp" \
	    "$nart" "$nslow" |
	    tee -a "$report"
done
exit $found
