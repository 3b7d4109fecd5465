#!/bin/sh
# daemon_limits.sh: politeness and schedule.  max-conns bounds the
# transfers in flight in all and host-conns those to one host name (the
# test server counts the requests it is answering at once, so no timing is
# measured); the next due time follows the interval, every=, <ttl> and
# sy:updatePeriod within min-interval and max-interval.
. "$(dirname "$0")/lib.sh"

command -v sqlite3 >/dev/null 2>&1 || { echo "1..0 # SKIP no sqlite3"; exit 0; }

q() { sqlite3 "$T/feedd.db" "$1"; }
col() { q "SELECT $1 FROM feeds WHERE url = '$2'"; }
# max_of FIELD [HOST]: the largest value of a counter in the server's log.
max_of() {
	if [ -n "${2:-}" ]; then
		grep "\"Host\": \"$2:" "$T/httpd.log"
	else
		cat "$T/httpd.log"
	fi | sed -n "s/.*\"$1\": \([0-9]*\).*/\1/p" | sort -n | tail -n 1
}

# feed FILE EXTRA-CHANNEL-XML: a one-item RSS feed.
feed() {
	cat > "$T/$1" <<XML
<?xml version="1.0"?>
<rss version="2.0" xmlns:sy="http://purl.org/rss/1.0/modules/syndication/">
<channel><title>$1</title>$2
<item><guid>$1-1</guid><title>Item of $1</title></item>
</channel></rss>
XML
}
feed plain.xml ""
feed ttl.xml "<ttl>120</ttl>"
feed shortttl.xml "<ttl>1</ttl>"
feed longttl.xml "<ttl>10080</ttl>"
feed sy.xml "<sy:updatePeriod>daily</sy:updatePeriod><sy:updateFrequency>2</sy:updateFrequency>"
# skipHours: every hour but OPEN (UTC), five hours from now.
OPEN=$(( ($(date -u +%H | sed 's/^0//') + 5) % 24 ))
skip=""
h=0
while [ $h -lt 24 ]; do
	[ $h -ne $OPEN ] && skip="$skip<hour>$h</hour>"
	h=$((h + 1))
done
feed skip.xml "<skipHours>$skip</skipHours>"
{
	echo '{'
	i=0
	while [ $i -lt 8 ]; do
		echo "\"/slow$i.xml\": {\"delay\": 0.3, \"body_file\": \"plain.xml\"},"
		i=$((i + 1))
	done
	for f in plain ttl shortttl longttl sy skip; do
		echo "\"/$f.xml\": {\"body_file\": \"$f.xml\"},"
	done
	# every= must win over this document's <ttl>.
	echo '"/every.xml": {"body_file": "ttl.xml"}}'
} > "$T/script.json"
start_httpd --script "$T/script.json"
LBASE=http://localhost:$HTTP_PORT

# Sixteen slow feeds on two host names.
i=0
while [ $i -lt 8 ]; do
	echo "$BASE/slow$i.xml"
	echo "$LBASE/slow$i.xml"
	i=$((i + 1))
done > "$T/feeds"
: > "$T/feedd.conf"

"$FEEDD" --once --config "$T/feedd.conf" --feeds "$T/feeds" \
    --db "$T/feedd.db" --max-conns 3 --host-conns 2 --host-delay 0 \
    2>"$T/stderr"
is "sixteen slow feeds: exit 0" "$?" 0
is "sixteen requests" "$(wc -l < "$T/httpd.log" | tr -d ' ')" 16
is "16 items" "$(q 'SELECT count(*) FROM items')" 16
m=$(max_of active)
is "max-conns 3: never more than 3 at once (saw $m)" \
    "$([ "$m" -le 3 ] && echo yes)" yes
m1=$(max_of active_host 127.0.0.1)
m2=$(max_of active_host localhost)
is "host-conns 2: never more than 2 to one host ($m1, $m2)" \
    "$([ "$m1" -le 2 ] && [ "$m2" -le 2 ] && echo yes)" yes

rm -f "$T/feedd.db" "$T/feedd.db-wal" "$T/feedd.db-shm"
: > "$T/httpd.log"
"$FEEDD" --once --config "$T/feedd.conf" --feeds "$T/feeds" \
    --db "$T/feedd.db" --max-conns 16 --host-conns 1 --host-delay 0 \
    2>"$T/stderr"
is "host-conns 1: exit 0" "$?" 0
m1=$(max_of active_host 127.0.0.1)
m2=$(max_of active_host localhost)
is "host-conns 1: one at a time per host ($m1, $m2)" "$m1 $m2" "1 1"

# The schedule: interval 1h, min 10m, max 1d.
rm -f "$T/feedd.db" "$T/feedd.db-wal" "$T/feedd.db-shm"
{
	echo "$BASE/plain.xml"
	echo "$BASE/ttl.xml"
	echo "$BASE/shortttl.xml"
	echo "$BASE/longttl.xml"
	echo "$BASE/sy.xml"
	echo "$BASE/every.xml every=15m"
	echo "$BASE/skip.xml"
} > "$T/feeds"
printf '%s\n' "interval = 1h" "min-interval = 10m" "max-interval = 1d" \
    > "$T/feedd.conf"
"$FEEDD" --once --config "$T/feedd.conf" --feeds "$T/feeds" \
    --db "$T/feedd.db" --host-conns 8 --host-delay 0 2>"$T/stderr"
is "schedule run: exit 0" "$?" 0
gap() { col "next_fetch - last_fetch" "$BASE/$1"; }
is "no hint: the interval" "$(gap plain.xml)" 3600
is "<ttl>120</ttl>: two hours" "$(gap ttl.xml)" 7200
is "<ttl>1</ttl>: raised to min-interval" "$(gap shortttl.xml)" 600
is "<ttl> of a week: lowered to max-interval" "$(gap longttl.xml)" 86400
is "sy:updatePeriod daily, frequency 2: twelve hours" "$(gap sy.xml)" 43200
is "every=15m wins over the document" "$(gap every.xml)" 900
is "skipHours: the next poll falls in the one open hour ($OPEN UTC)" \
    "$(col "CAST(strftime('%H', next_fetch, 'unixepoch') AS INTEGER) ||
    '/' || (next_fetch % 3600) || '/' || (next_fetch - last_fetch > 3600)" \
    "$BASE/skip.xml")" "$OPEN/0/1"

done_testing
