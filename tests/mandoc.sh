#!/bin/sh
# mandoc.sh: every man page passes `mandoc -T lint` (warnings count).
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
. "$(dirname "$0")/integration/lib.sh"

if [ -z "${MANDOC:-}" ] && ! MANDOC=$(command -v mandoc); then
	echo "1..0 # SKIP mandoc not installed"
	exit 0
fi
for page in "$top_srcdir"/man/*.[1-8]; do
	out=$("$MANDOC" -T lint -W warning "$page" 2>&1)
	if [ -z "$out" ]; then
		ok "mandoc -T lint $(basename "$page")"
	else
		not_ok "mandoc -T lint $(basename "$page")"
		echo "$out" | sed 's/^/#   /'
	fi
done
done_testing
