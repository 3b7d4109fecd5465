#!/bin/sh
# demo.sh: run feedd on a working demo, offline.  Uses a private directory,
# a feeds file with one file:// feed (contrib/demo/news.xml), polls it once,
# then starts the daemon, reads with feedctl, and stops the daemon again.
# Run from the build directory after `make` (or pass the binaries' dir).
set -eu

bindir=${1:-.}
srcdir=$(cd "$(dirname "$0")/.." && pwd)
feedd=$(cd "$bindir" && pwd)/feedd
feedctl=$(cd "$bindir" && pwd)/feedctl
dir=$(mktemp -d "${TMPDIR:-/tmp}/feedd-demo.XXXXXX")
pid=""
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT

echo "file://$srcdir/contrib/demo/news.xml demo \"~Demo news\"" > "$dir/feeds"
: > "$dir/feedd.conf"
set -- --config "$dir/feedd.conf" --feeds "$dir/feeds" --db "$dir/feedd.db" \
    --socket "$dir/feedd.sock"

echo "== feedd --once: poll every feed once and store the items"
"$feedd" --once "$@"

echo "== feedd --foreground: the daemon, serving $dir/feedd.sock"
"$feedd" --foreground "$@" &
pid=$!
i=0
while ! "$feedctl" -s "$dir/feedd.sock" version >/dev/null 2>&1; do
	i=$((i + 1))
	[ "$i" -lt 100 ] || { echo "feedd did not start" >&2; exit 1; }
	sleep 0.1
done

echo "== feedctl: what is new"
"$feedctl" -s "$dir/feedd.sock"
echo "== feedctl feeds: status of each feed"
"$feedctl" -s "$dir/feedd.sock" feeds
id=$("$feedctl" -s "$dir/feedd.sock" --json items --limit 1 |
    sed -n 's/^{"id": *\([0-9]*\).*/\1/p' | head -n 1)
if [ -n "$id" ]; then
	echo "== feedctl show $id"
	"$feedctl" -s "$dir/feedd.sock" show "$id"
fi
echo "== feedctl stats"
"$feedctl" -s "$dir/feedd.sock" stats
echo "== done: the daemon stops now"
