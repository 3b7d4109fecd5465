#!/bin/sh
# http_newsboat.sh: Debian's newsboat as the real client of the Miniflux
# API: urls-source "miniflux" against a feedd that polled feeds from the
# local test server.  `newsboat -x reload print-unread` reports feedd's
# unread count; marking read through the API is seen by feedctl and by
# newsboat's next reload.
. "$(dirname "$0")/http_lib.sh"

command -v newsboat >/dev/null 2>&1 || {
	echo "1..0 # SKIP newsboat is not installed (contrib/install-deps.sh installs it)"
	exit 0
}

rss a.xml Alpha "a1|Alpha one|<p>first</p>|Mon, 02 Jan 2023 10:00:00 GMT" \
    "a2|Alpha two|<p>second</p>|Mon, 02 Jan 2023 11:00:00 GMT" \
    "a3|Alpha three|<p>third</p>|Mon, 02 Jan 2023 12:00:00 GMT"
rss b.xml Beta "b1|Beta one|<p>one</p>|Tue, 03 Jan 2023 10:00:00 GMT" \
    "b2|Beta two|<p>two</p>|Tue, 03 Jan 2023 11:00:00 GMT"
rss c.xml Gamma "c1|Gamma one|<p>uno</p>|Wed, 04 Jan 2023 10:00:00 GMT"
start_httpd --dir "$T/www"
cat > "$T/feeds" <<EOT
$BASE/a.xml news
$BASE/b.xml
$BASE/c.xml tech
EOT
start_api
wait_for 100 has_items 6 || not_ok "the 3 feeds are polled"

# newsboat in a home of its own; the URL with a trailing slash, as users
# write it (newsboat then asks for //v1/...).
NB=$T/nb
mkdir -p "$NB/home/.config" "$NB/home/.local/share"
cat > "$NB/config" <<EOT
urls-source "miniflux"
miniflux-url "$API/"
miniflux-login "$HTTP_USER"
miniflux-password "$HTTP_PASSWORD"
EOT
: > "$NB/urls"
nb() {
	HOME=$NB/home XDG_CONFIG_HOME=$NB/home/.config \
	    XDG_DATA_HOME=$NB/home/.local/share TERM=dumb \
	    newsboat -C "$NB/config" -u "$NB/urls" -c "$NB/cache.db" "$@" \
	    </dev/null 2>>"$T/newsboat.err"
}
# print-unread reads like "6 unread articles".
unread_of() {
	sed -n 's/^\([0-9][0-9]*\) unread articles*$/\1/p' "$1"
}

nb -x reload print-unread > "$T/nb1.out"
is "newsboat -x reload print-unread: feedd's unread count" \
    "$(unread_of "$T/nb1.out")/$(stat_of unread)" "6/6"

# newsboat tags each feed with its category: the reload stored them.
if command -v sqlite3 >/dev/null 2>&1; then
	is "newsboat stored the 3 feeds of the API" \
	    "$(sqlite3 "$NB/cache.db" 'SELECT count(*) FROM rss_feed')" 3
	is "and their 6 articles, by entry id" \
	    "$(sqlite3 "$NB/cache.db" 'SELECT count(*) FROM rss_item')" 6
fi

# Mark 2 read through the API, as a reader does: feedctl sees it, and
# newsboat's next reload too.
api_client mark_read 2
is "feedctl sees the 2 marked read through the API" "$(stat_of unread)" 4
nb -x reload print-unread > "$T/nb2.out"
is "newsboat's next reload: 4 unread" "$(unread_of "$T/nb2.out")" 4

# A new item polled by feedd reaches newsboat.
rss c.xml Gamma "c1|Gamma one|<p>uno</p>|Wed, 04 Jan 2023 10:00:00 GMT" \
    "c2|Gamma two|<p>dos</p>|Wed, 04 Jan 2023 11:00:00 GMT"
ctl refresh > /dev/null
wait_for 100 has_items 7 || not_ok "feedd polls the new item"
nb -x reload print-unread > "$T/nb3.out"
is "a new item polled by feedd: newsboat counts 5 unread" \
    "$(unread_of "$T/nb3.out")" 5

stop_feedd
done_testing
