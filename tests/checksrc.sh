#!/bin/sh
# checksrc.sh: ban unsafe or unchecked calls (STYLE.md rule 7).  sprintf,
# strcpy, strcat, gets, atoi and strtok are banned everywhere; raw
# malloc/calloc/realloc/strdup are allowed only in xmalloc.c.
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
. "$(dirname "$0")/integration/lib.sh"

src=$top_srcdir/src
for fn in sprintf vsprintf strcpy strcat gets atoi strtok; do
	hits=$(grep -nE "(^|[^_a-zA-Z0-9>.])$fn[[:space:]]*\(" "$src"/*.c "$src"/*.h |
	    grep -v '^\S*:[0-9]*:\s*/\?\*' || true)
	if [ -z "$hits" ]; then ok "no $fn"; else not_ok "no $fn"; echo "$hits" | sed 's/^/#   /'; fi
done
for fn in malloc calloc realloc strdup strndup; do
	hits=$(grep -nE "(^|[^_a-zA-Z0-9>.])$fn[[:space:]]*\(" "$src"/*.c |
	    grep -v '/xmalloc\.c:' | grep -v '^\S*:[0-9]*:\s*/\?\*' || true)
	if [ -z "$hits" ]; then ok "no raw $fn outside xmalloc.c"; else not_ok "no raw $fn outside xmalloc.c"; echo "$hits" | sed 's/^/#   /'; fi
done
done_testing
