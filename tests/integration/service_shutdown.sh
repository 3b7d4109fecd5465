#!/bin/sh
# service_shutdown.sh: SIGTERM while many transfers are in flight.  feedd
# exits 0 soon, the database passes PRAGMA integrity_check, the socket is
# removed, and every feed holds exactly a complete set of the items the
# server served for it (no half-written feed update).  A second SIGTERM
# during shutdown exits at once, the database still whole.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/service_lib.sh"

: "${SQLITE3:=sqlite3}"
if ! command -v "$SQLITE3" >/dev/null 2>&1; then
	echo "1..0 # SKIP sqlite3 not installed"
	exit 0
fi

NFAST=20
NSLOW=10

# write_script ROUND: feeds f01..f20 answer at once with items_of(f, ROUND)
# items; s01..s10 answer after 30 s (always in flight at SIGTERM).
write_script() {
	{
		echo "{"
		i=1
		while [ "$i" -le "$NFAST" ]; do
			f=$(printf 'f%02d' "$i")
			echo "\"/$f.xml\": {\"etag\": \"\\\"$f-$1\\\"\"," \
			    "\"body\": $(json_str "$(rss "$f" "$(items_of "$i" "$1")")")},"
			i=$((i + 1))
		done
		i=1
		while [ "$i" -le "$NSLOW" ]; do
			f=$(printf 's%02d' "$i")
			echo "\"/$f.xml\": {\"delay\": 30," \
			    "\"body\": $(json_str "$(rss "$f" 3)")},"
			i=$((i + 1))
		done
		echo "\"/end\": {}"
		echo "}"
	} >"$T/script.json.tmp"
	mv "$T/script.json.tmp" "$T/script.json"
}

# items_of I ROUND: how many items feed fI serves in ROUND (1 or 2).
items_of() {
	echo $((2 + $1 % 4 + $2 - 1))
}

# guids_of NAME N: the guids NAME-1 .. NAME-N, sorted as sqlite sorts.
guids_of() {
	_i=1
	while [ "$_i" -le "$2" ]; do
		echo "$1-$_i"
		_i=$((_i + 1))
	done | LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//'
}

# stored NAME: the guids stored for feed NAME, sorted, space separated.
stored() {
	"$SQLITE3" "$T/feedd.db" "SELECT i.guid FROM items i
	    JOIN feeds f ON f.id = i.feed_id
	    WHERE f.url = '$BASE/$1.xml' ORDER BY i.guid;" |
	    tr '\n' ' ' | sed 's/ $//'
}

# total_items: items in the database.
total_items() {
	"$SQLITE3" "$T/feedd.db" 'SELECT count(*) FROM items;' 2>/dev/null
}

# all_fast_stored ROUND: every fast feed has its ROUND items.
all_fast_stored() {
	_want=0
	_i=1
	while [ "$_i" -le "$NFAST" ]; do
		_want=$((_want + $(items_of "$_i" "$1")))
		_i=$((_i + 1))
	done
	[ "$(total_items)" = "$_want" ]
}

# check_sets ROUNDS: each fast feed holds exactly the set of one of ROUNDS
# (or nothing, when 0 is among them); each slow feed nothing or all 3.
check_sets() {
	bad=""
	i=1
	while [ "$i" -le "$NFAST" ]; do
		f=$(printf 'f%02d' "$i")
		got=$(stored "$f")
		match=no
		for r in $1; do
			if [ "$r" = 0 ]; then
				want=""
			else
				want=$(guids_of "$f" "$(items_of "$i" "$r")")
			fi
			[ "$got" = "$want" ] && match=yes
		done
		[ "$match" = yes ] || bad="$bad $f:[$got]"
		i=$((i + 1))
	done
	i=1
	while [ "$i" -le "$NSLOW" ]; do
		f=$(printf 's%02d' "$i")
		got=$(stored "$f")
		[ -z "$got" ] || [ "$got" = "$(guids_of "$f" 3)" ] ||
		    bad="$bad $f:[$got]"
		i=$((i + 1))
	done
	echo "$bad"
}

write_script 1
start_httpd --script "$T/script.json"
: >"$T/feeds"
i=1
while [ "$i" -le "$NFAST" ]; do
	printf '%s/f%02d.xml\n' "$BASE" "$i" >>"$T/feeds"
	i=$((i + 1))
done
i=1
while [ "$i" -le "$NSLOW" ]; do
	printf '%s/s%02d.xml\n' "$BASE" "$i" >>"$T/feeds"
	i=$((i + 1))
done
printf 'interval = 1h\n' >"$T/feedd.conf"

# 1. One SIGTERM with the slow transfers in flight.
# shellcheck disable=SC2046
spawn "$FEEDD" $(feedd_args) 2>"$T/feedd.err"
FPID=$LASTPID
wait_for 300 "$FEEDCTL" --socket "$T/feedd.sock" version &&
    ok "feedd started" || not_ok "feedd started"
"$FEEDCTL" --socket "$T/feedd.sock" refresh --no-wait >/dev/null 2>&1
if wait_for 600 all_fast_stored 1; then
	ok "the fast feeds are stored"
else
	not_ok "the fast feeds are stored"
	echo "#   items: $(total_items)"
fi
check "the slow feeds are still in flight" test "$(req_count /s01.xml)" = 0
kill -TERM "$FPID"
if wait_for 150 gone "$FPID"; then
	ok "feedd exits within a few seconds of SIGTERM"
else
	not_ok "feedd exits within a few seconds of SIGTERM"
	kill -KILL "$FPID"
fi
wait "$FPID"
is "exit status after SIGTERM" "$?" 0
is "PRAGMA integrity_check" \
    "$("$SQLITE3" "$T/feedd.db" 'PRAGMA integrity_check;' 2>&1)" ok
is "every feed holds a complete set (fast: all, slow: none or all)" \
    "$(check_sets 1)" ""
check "the socket is removed at exit" test ! -e "$T/feedd.sock"

# 2. A second SIGTERM while the first shutdown is under way.  Each fast
# feed now serves one more item: it holds the old set or the new one.
# shellcheck disable=SC2046
spawn "$FEEDD" $(feedd_args) 2>>"$T/feedd.err"
FPID=$LASTPID
wait_for 300 "$FEEDCTL" --socket "$T/feedd.sock" version &&
    ok "feedd restarted on the same database" ||
    not_ok "feedd restarted on the same database"
write_script 2
n=$(req_count /f01.xml)
"$FEEDCTL" --socket "$T/feedd.sock" refresh --no-wait >/dev/null 2>&1
# (Bounded: the new polls may queue behind the slow ones to the same host.)
wait_for 100 req_has /f01.xml $((n + 1)) || true
kill -TERM "$FPID"
kill -TERM "$FPID" 2>/dev/null
if wait_for 50 gone "$FPID"; then
	ok "feedd exits at once on a second SIGTERM"
else
	not_ok "feedd exits at once on a second SIGTERM"
	kill -KILL "$FPID"
fi
wait "$FPID"
rc=$?
# Exit 0 (the first SIGTERM finished first) or killed by the second one
# (143, as systemd counts a clean SIGTERM death).
if [ "$rc" -eq 0 ] || [ "$rc" -eq 143 ]; then
	ok "feedd ends with 0 or by SIGTERM (status $rc)"
else
	not_ok "feedd ends with 0 or by SIGTERM (status $rc)"
	tail -5 "$T/feedd.err" | sed 's/^/#   /'
fi
is "PRAGMA integrity_check after the second SIGTERM" \
    "$("$SQLITE3" "$T/feedd.db" 'PRAGMA integrity_check;' 2>&1)" ok
is "every feed holds a complete set (old or new)" "$(check_sets "1 2")" ""

no_sanitizer_report "$T/feedd.err"
done_testing
