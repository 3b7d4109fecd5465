#!/bin/sh
# ctl_opml.sh: `feedctl export` and `feedctl import` without a daemon: an
# export imports back to the same feeds, titles and tags; import appends,
# never rewrites, reports duplicates, takes folders and categories as tags,
# skips what the feeds file cannot hold; bad OPML is a clear error.  URLs
# are compared as feedctl add compares them (no #fragment, the scheme and
# host in any case).
. "$(dirname "$0")/lib.sh"

export FEEDD_SOCKET="$T/no-daemon.sock"

cat > "$T/feeds" <<'EOF'
# my feeds
https://a.example/feed.xml news tech "~Alpha \"A\""
https://b.example/rss
https://c.example/atom "two words" "~Gamma"
EOF

"$FEEDCTL" export --feeds "$T/feeds" > "$T/out.opml" 2> "$T/err"
is "export exits 0" "$?" 0
is "export writes nothing to stderr" "$(cat "$T/err")" ""
if command -v xmllint >/dev/null 2>&1; then
	check "export is well-formed XML" xmllint --noout "$T/out.opml"
fi
is "export has three feeds" "$(grep -c 'xmlUrl=' "$T/out.opml")" 3
check "export is OPML 2.0" grep -q '<opml version="2.0">' "$T/out.opml"
check "export escapes quotes in titles" \
    grep -q 'title="Alpha &quot;A&quot;"' "$T/out.opml"
check "export lists all tags as category" \
    grep -q 'category="news,tech"' "$T/out.opml"

"$FEEDCTL" import --feeds "$T/new" "$T/out.opml" > "$T/imp1" 2>&1
is "import into a new file exits 0" "$?" 0
check "import reports three added" grep -q "^Added 3 feeds to $T/new; 0 already present" "$T/imp1"
sort "$T/new" > "$T/new.sorted"
cat > "$T/want.sorted" <<'EOF'
https://a.example/feed.xml news tech "~Alpha \"A\""
https://b.example/rss
https://c.example/atom "two words" "~Gamma"
EOF
is "round trip gives the same feeds, tags and titles" \
    "$(cat "$T/new.sorted")" "$(cat "$T/want.sorted")"

cp "$T/new" "$T/new.before"
"$FEEDCTL" import --feeds "$T/new" "$T/out.opml" > "$T/imp2" 2>&1
is "second import exits 0" "$?" 0
check "second import reports duplicates" \
    grep -q "^duplicate: https://a.example/feed.xml (already in $T/new:" "$T/imp2"
check "second import adds nothing" grep -q "^Added 0 feeds to $T/new; 3 already present" "$T/imp2"
check "second import leaves the file alone" cmp "$T/new" "$T/new.before"

# Folders and categories become tags; odd URLs are skipped; a feed
# twice in the file is added once; the existing file (no final newline)
# is appended to, never rewritten.
cat > "$T/in.opml" <<'EOF'
<?xml version="1.0"?>
<opml version="1.0">
<head><title>Subscriptions</title></head>
<body>
  <outline text="Tech">
    <outline text="Sub">
      <outline type="rss" text="Deep" xmlUrl="https://d.example/deep"/>
    </outline>
    <outline type="rss" text="Cat" title="Catty" xmlUrl="https://e.example/e"
       category="/Work/Reading,misc"/>
  </outline>
  <outline type="rss" text="Plain" xmlUrl="https://b.example/rss"/>
  <outline type="rss" text="Mail" xmlUrl="mailto:someone@example.com"/>
  <outline type="rss" text="Again" xmlUrl="https://d.example/deep"/>
  <outline type="rss" text="key=value" xmlUrl="https://f.example/f"/>
</body>
</opml>
EOF
printf 'https://b.example/rss' > "$T/mine"
"$FEEDCTL" import --feeds "$T/mine" "$T/in.opml" > "$T/imp3" 2>&1
is "import with folders exits 0" "$?" 0
cat > "$T/want" <<'EOF'
https://b.example/rss
https://d.example/deep Tech Sub "~Deep"
https://e.example/e Tech Work Reading misc "~Catty"
https://f.example/f "~key=value"
EOF
is "folders and categories become tags, file appended" \
    "$(cat "$T/mine")" "$(cat "$T/want")"
check "duplicate already in the feeds file reported" \
    grep -q "^duplicate: https://b.example/rss (already in $T/mine:1)" "$T/imp3"
check "duplicate inside the OPML file reported" \
    grep -q "^duplicate: https://d.example/deep (twice in $T/in.opml)" "$T/imp3"
check "non-web URL skipped with a warning" grep -q "mailto:someone@example.com" "$T/imp3"
check "summary counts" grep -q "^Added 3 feeds to $T/mine; 2 already present" "$T/imp3"
"$FEEDCTL" export --feeds "$T/mine" > "$T/mine.opml" 2>&1
is "the appended feeds file loads again" "$?" 0
is "and has four feeds" "$(grep -c 'xmlUrl=' "$T/mine.opml")" 4

"$FEEDCTL" import --dry-run --feeds "$T/dry" "$T/in.opml" > "$T/imp4" 2>&1
is "dry run exits 0" "$?" 0
check "dry run creates no file" test ! -e "$T/dry"
check "dry run shows the lines" grep -q '^https://e.example/e Tech Work Reading misc "~Catty"$' "$T/imp4"

# A URL the feeds file has, but with a #fragment or the scheme and host in
# another case, is the same feed (as for feedctl add); a fragment is
# dropped as the feeds file drops it, so two URLs that differ only there
# are one feed.
printf 'https://frag.example/feed\nhttps://case.example/Path\n' > "$T/frag"
cat > "$T/frag.opml" <<'EOF'
<?xml version="1.0"?>
<opml version="2.0"><head><title>x</title></head><body>
  <outline type="rss" text="F" xmlUrl="https://frag.example/feed#top"/>
  <outline type="rss" text="C" xmlUrl="HTTPS://CASE.Example/Path"/>
  <outline type="rss" text="N" xmlUrl="https://new.example/feed#one"/>
  <outline type="rss" text="N2" xmlUrl="https://new.example/feed#two"/>
</body></opml>
EOF
"$FEEDCTL" import --feeds "$T/frag" "$T/frag.opml" > "$T/imp5" 2>&1
is "import with fragments exits 0" "$?" 0
check "a #fragment is already present" \
    grep -q "^duplicate: https://frag.example/feed (already in $T/frag:1)" \
    "$T/imp5"
check "another case of scheme and host is already present" \
    grep -q "^duplicate: HTTPS://CASE.Example/Path (already in $T/frag:2)" \
    "$T/imp5"
check "two fragments of one URL are one feed" \
    grep -q "^duplicate: https://new.example/feed (twice in $T/frag.opml)" \
    "$T/imp5"
check "the summary counts them" \
    grep -q "^Added 1 feed to $T/frag; 3 already present" "$T/imp5"
is "the new feed is added once, without its fragment" "$(cat "$T/frag")" \
    'https://frag.example/feed
https://case.example/Path
https://new.example/feed "~N"'

# Errors.
printf '<html><body/></html>\n' > "$T/not.opml"
"$FEEDCTL" import --feeds "$T/x" "$T/not.opml" > "$T/err" 2>&1
is "non-OPML exits 1" "$?" 1
check "non-OPML is named, and what it looks like" \
    grep -q "not.opml is not an OPML document (it looks like an HTML page" "$T/err"
printf '<opml><body><outline' > "$T/broken.opml"
"$FEEDCTL" import --feeds "$T/x" "$T/broken.opml" > "$T/err" 2>&1
is "broken XML exits 1" "$?" 1
check "broken XML names the file" grep -q "broken.opml" "$T/err"
"$FEEDCTL" import --feeds "$T/x" > "$T/err" 2>&1
is "import without a file is a usage error" "$?" 2
"$FEEDCTL" export --feeds "$T/none" > "$T/err" 2>&1
is "export of a missing feeds file exits 1" "$?" 1
check "export names the missing file" grep -q "$T/none" "$T/err"
check "no feeds file was created by a failing import" test ! -e "$T/x"

# The round trip through export and import also works when the feeds
# file holds every=, keep= options: they travel in feedd:options, never
# as tags (issue 13: an export keeps everything the feeds file says).
printf 'https://g.example/g every=2h keep=10 tag1 "~G"\n' > "$T/opts"
"$FEEDCTL" export --feeds "$T/opts" > "$T/opts.opml"
"$FEEDCTL" import --feeds "$T/opts.new" "$T/opts.opml" > /dev/null 2>&1
is "options are not exported as tags" "$(cat "$T/opts.new")" \
    'https://g.example/g tag1 every=2h keep=10 "~G"'

done_testing
