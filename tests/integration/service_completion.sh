#!/bin/sh
# service_completion.sh: the bash and zsh completions in contrib/completion
# offer feedctl's commands (every one `feedctl help` lists), the flags of a
# command, and the feed URLs a running daemon lists (through the socket
# named on the command line, URLs with ":" included).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/service_lib.sh"

BASHC=$top_srcdir/contrib/completion/feedctl.bash
ZSHC=$top_srcdir/contrib/completion/_feedctl
PATH=$(dirname "$FEEDCTL"):$PATH
export PATH

mkdir "$T/www"
rss a 1 >"$T/www/a.xml"
rss b 1 >"$T/www/b.xml"
start_httpd --dir "$T/www"
printf '%s\n%s\n' "$BASE/a.xml" "$BASE/b.xml" >"$T/feeds"
: >"$T/feedd.conf"
# shellcheck disable=SC2046
spawn "$FEEDD" $(feedd_args) 2>"$T/feedd.err"
FPID=$LASTPID
wait_for 300 "$FEEDCTL" --socket "$T/feedd.sock" version ||
    { echo "Bail out! feedd did not start"; exit 1; }

# bcomp WORD...: what the bash completion offers for the last word, sorted
# and space separated; words are split as bash splits them (":" apart).
bcomp() {
	bash --norc --noprofile -c '
		. "$0"
		COMP_WORDS=("$@")
		COMP_CWORD=$(($# - 1))
		COMP_LINE="$*"
		_feedctl
		printf "%s\n" "${COMPREPLY[@]}"' "$BASHC" "$@" |
	    LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//'
}

check "bash: the completion file parses" bash -n "$BASHC"
is "bash: commands after 're'" "$(bcomp feedctl re)" \
    "read refresh reload remove"
is "bash: global flags" "$(bcomp feedctl --so)" "--socket"
is "bash: a command's flags" "$(bcomp feedctl items --st)" "--starred"
is "bash: mark flags" "$(bcomp feedctl read --a)" "--all"
is "bash: show's flag" "$(bcomp feedctl show --)" "--no-mark"
is "bash: the command after a --socket argument" \
    "$(bcomp feedctl --socket /x fol)" "follow"

# Every command of `feedctl help` is completed.
cmds=$("$FEEDCTL" help 2>&1 | sed -n '/^commands:/,/^$/s/^  \([a-z]*\) .*/\1/p' |
    LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//')
check "feedctl help lists commands" test -n "$cmds"
missing=""
for c in $cmds; do
	case " $(bcomp feedctl "$c") " in
	*" $c "*) ;;
	*) missing="$missing $c" ;;
	esac
done
is "bash: every command of feedctl help is offered" "$missing" ""

# Feed URLs from the daemon.  bash splits "http://h:p/x" at each ":".
is "bash: refresh offers the daemon's feeds" \
    "$(bcomp feedctl -s "$T/feedd.sock" refresh '')" \
    "$BASE/a.xml $BASE/b.xml"
is "bash: a URL typed in part, split at ':'" \
    "$(bcomp feedctl -s "$T/feedd.sock" refresh http : //127.0.0.1 : \
    "$HTTP_PORT/a")" "$HTTP_PORT/a.xml"
is "bash: --feed offers the daemon's feeds" \
    "$(bcomp feedctl --socket "$T/feedd.sock" items --feed '')" \
    "$BASE/a.xml $BASE/b.xml"
is "bash: no daemon, no feeds" \
    "$(bcomp feedctl -s "$T/none.sock" refresh '')" ""

# zsh: drive a real interactive zsh through zpty.
if ! command -v zsh >/dev/null 2>&1; then
	echo "# zsh not installed: skipping the zsh checks"
	ok "zsh checks skipped # SKIP zsh not installed"
	kill -TERM "$FPID"
	done_testing
	exit
fi
check "zsh: the completion file parses" zsh -n "$ZSHC"
mkdir "$T/zfunc"
cp "$ZSHC" "$T/zfunc/"

# zcomp LINE: what zsh lists for LINE<TAB> (list-choices), one a line.
zcomp() {
	T=$T LINE=$1 zsh -f -c '
		zmodload zsh/zpty || exit 1
		zpty z "zsh -f -i"
		zpty -w z "PS1=\"%% \"; fpath=($T/zfunc \$fpath);
		    autoload -U compinit; compinit -u -D;
		    bindkey \"^I\" list-choices; LISTMAX=0;
		    zstyle \":completion:*\" list-separator \"\"; print READY"
		out=""
		for i in {1..100}; do
			zpty -r -t z chunk && out+=$chunk
			[[ $out == *READY* ]] && break
			sleep 0.1
		done
		zpty -w -n z "$LINE"$'\''\t'\''
		# Then clear the line and print a marker that only the shell
		# running it can produce (the echo shows $((6*7)), not 42):
		# once it arrives, the listing is complete.
		zpty -w z $'\''\x15'\''"print MARK_\$((6*7))"
		out=""
		for i in {1..150}; do
			zpty -r -t z chunk && out+=$chunk
			[[ $out == *MARK_42* ]] && break
			sleep 0.1
		done
		zpty -d z
		print -r -- "${out//$'\''\r'\''/}"' |
	    sed 's/\x1b\[[0-9;?]*[A-Za-z]//g'
}

zcomp "feedctl re" >"$T/z1"
check "zsh: 'feedctl re' lists read" grep -q '^read ' "$T/z1"
check "zsh: 'feedctl re' lists refresh" grep -q '^refresh ' "$T/z1"
check "zsh: 'feedctl re' lists reload" grep -q '^reload ' "$T/z1"
check "zsh: 'feedctl re' lists remove" grep -q '^remove ' "$T/z1"
is "zsh: 'feedctl re' lists nothing else" \
    "$(grep -cE '^[a-z]+  ' "$T/z1")" 4
zcomp "feedctl -s $T/feedd.sock refresh " >"$T/z2"
check "zsh: refresh lists feed a from the daemon" grep -qF "$BASE/a.xml" "$T/z2"
check "zsh: refresh lists feed b from the daemon" grep -qF "$BASE/b.xml" "$T/z2"
zcomp "feedctl items --sta" >"$T/z3"
check "zsh: items --sta completes to --starred" grep -q -- '--starred' "$T/z3"

kill -TERM "$FPID"
wait_for 300 gone "$FPID" || true
no_sanitizer_report "$T/feedd.err"
done_testing
