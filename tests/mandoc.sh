#!/bin/sh
# mandoc.sh: every man page passes `mandoc -T lint` (warnings count), and
# renders without the artifacts lint cannot see: a macro that swallows the
# words after it (`Fl \-db is given` prints "--db -is -given"), a word
# taken for a macro (".Dl ...: No such file" loses its "No"), quotes nested
# by a missing delimiter.
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

# The options the pages define: the first argument of every Fl macro, and
# every word written with a leading hyphen in the source text itself (the
# options of other programs in EXAMPLES).  Any other word that renders with
# a leading hyphen was made by a macro.
known=$(cat "$top_srcdir"/man/*.[1-8] | sed -n '
	s/\\-/-/g
	/^\.Bd/d
	/^\.Bl/d
	/^\.Dd/d
	p' | awk '{
		for (i = 1; i <= NF; i++) {
			if (($i == "Fl" || $i == ".Fl") && i < NF) {
				print "-" $(++i)
				while ($(i + 1) == "|" && i + 2 <= NF) {
					i += 2
					print "-" $i
				}
				# "Fl - Ns Ar key": --key stands for any key.
				if ($i == "-" && $(i + 1) == "Ns")
					print "--key"
			} else if ($i ~ /^[(\047]?-/)
				print $i
		}
	}' | LC_ALL=C sed 's/[^-A-Za-z0-9_]/ /g' | tr -s ' ' '\n' |
	    grep -- '^--*[A-Za-z]' | sort -u)

for page in "$top_srcdir"/man/*.[1-8]; do
	name=$(basename "$page")
	# Overstrike backspaces out, typographic quotes as spaces.
	"$MANDOC" -T utf8 "$page" 2>/dev/null | sed 's/.\x08//g' \
	    > "$T/$name.txt"
	bad=$(LC_ALL=C sed 's/[^-A-Za-z0-9_]/ /g' "$T/$name.txt" |
	    tr -s ' ' '\n' | grep -- '^--*[A-Za-z]' |
	    sort -u | while read -r w; do
		echo "$known" | grep -qxF -- "$w" || echo "$w"
	done)
	if [ -z "$bad" ]; then
		ok "$name renders no stray option words"
	else
		not_ok "$name renders no stray option words"
		echo "#   words:" $bad
	fi
	bad=$(grep -n 'such file or directory' "$T/$name.txt" |
	    grep -v 'No such file')
	# An opening quote inside a quote, angle brackets around words
	# (Aq took the rest of the line), escapes printed as text.
	bad="$bad
$(grep -n '‘[^’]*‘' "$T/$name.txt")
$(grep -n '⟨[^⟩]* [^⟩]*⟩\|⟨[^⟩]*$' "$T/$name.txt")
$(grep -n '\\[&e(f]' "$T/$name.txt")"
	# A quotation that starts with "No" loses it: No is a macro.
	bad="$bad
$(grep -n '^\.\(Dq\|Sq\|Qq\|Ql\|Dl\|D1\|Pq\) No ' "$page")"
	bad=$(echo "$bad" | sed '/^$/d')
	if [ -z "$bad" ]; then
		ok "$name renders no lost or nested words"
	else
		not_ok "$name renders no lost or nested words"
		echo "$bad" | sed 's/^/#   /'
	fi
done
done_testing
