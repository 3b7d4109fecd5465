# feedctl.bash: bash completion for feedctl(1).
#
# Installed as "feedctl" in bash-completion's completions directory, where
# it is loaded on first use; or source it from ~/.bashrc.  It needs nothing
# from the bash-completion package.  Feed names (--feed, feeds, refresh)
# are the URLs the running daemon lists, asked with `feedctl --json feeds`
# on the socket given on the command line, if any.

# The feeds' URLs, one a line, from the daemon (nothing if it is not up).
_feedctl_feeds()
{
	local i sock=()

	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		-s | --socket)
			sock=(--socket "${COMP_WORDS[i + 1]}")
			;;
		--socket=*)
			sock=("${COMP_WORDS[i]}")
			;;
		esac
	done
	command feedctl "${sock[@]}" --json feeds 2>/dev/null |
	    sed -n 's/.*"url":"\([^"]*\)".*/\1/p'
}

# Offer words, coping with the ":" of URLs that bash splits words on.
_feedctl_reply()
{
	local cur=$1 w colon_prefix
	shift
	COMPREPLY=()
	while IFS= read -r w; do
		[[ -n $w ]] && COMPREPLY+=("$w")
	done < <(compgen -W "$*" -- "$cur")
	if [[ $cur == *:* && $COMP_WORDBREAKS == *:* ]]; then
		colon_prefix=${cur%"${cur##*:}"}
		local k
		for k in "${!COMPREPLY[@]}"; do
			COMPREPLY[k]=${COMPREPLY[k]#"$colon_prefix"}
		done
	fi
}

_feedctl()
{
	local cur prev cmd i words_cur
	local commands="new items search show read unread star unstar open
	    feeds refresh moved reload follow stats version parse add remove
	    import export help"
	local global="-s --socket -j --json --color --no-color -h --help -V
	    --version"
	local list="-u --unread --starred --feed --tag --since --until
	    --search -n --limit --cursor --after --oldest-first -j --json --help"

	COMPREPLY=()
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD - 1]}
	# With "--feed=http://..." bash splits at ":" and "="; rejoin cur.
	if [[ $cur != -* ]] && ((COMP_CWORD > 1)); then
		words_cur=""
		i=$COMP_CWORD
		while ((i > 1)) && [[ ${COMP_WORDS[i]} == : ||
		    ${COMP_WORDS[i - 1]} == : ]]; do
			words_cur=${COMP_WORDS[i]}$words_cur
			((i--))
		done
		if [[ -n $words_cur ]]; then
			cur=${COMP_WORDS[i]}$words_cur
			prev=${COMP_WORDS[i - 1]}
		fi
	fi

	# The command is the first word that is not a global flag (or its
	# argument).
	cmd=""
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		-s | --socket)
			((i++))
			;;
		-*)
			;;
		*)
			cmd=${COMP_WORDS[i]}
			break
			;;
		esac
	done

	# Flag arguments first.
	case $prev in
	-s | --socket | -f | --feeds)
		COMPREPLY=($(compgen -f -- "$cur"))
		return
		;;
	--feed)
		_feedctl_reply "$cur" "$(_feedctl_feeds)"
		return
		;;
	--tag | --since | --until | --search | -n | --limit | --cursor | \
	    --after | --base)
		return
		;;
	esac

	if [[ -z $cmd ]]; then
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "$global" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$commands" -- "$cur"))
		fi
		return
	fi

	case $cmd in
	new)
		COMPREPLY=($(compgen -W "--feed --tag -n --limit --since
		    --until --oldest-first -j --json --help" -- "$cur"))
		;;
	items)
		COMPREPLY=($(compgen -W "$list" -- "$cur"))
		;;
	search)
		[[ $cur == -* ]] && COMPREPLY=($(compgen -W "${list/--search/}" \
		    -- "$cur"))
		;;
	read | unread | star | unstar)
		[[ $cur == -* ]] && COMPREPLY=($(compgen -W "--feed --tag --all
		    --cursor --search --since --until -u --unread --starred
		    -j --json --help" -- "$cur"))
		;;
	show)
		[[ $cur == -* ]] && COMPREPLY=($(compgen -W "--no-mark" \
		    -- "$cur"))
		;;
	feeds)
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "--all --gone -j --json --help" \
			    -- "$cur"))
		else
			_feedctl_reply "$cur" "$(_feedctl_feeds)"
		fi
		;;
	refresh)
		[[ $cur != -* ]] && _feedctl_reply "$cur" "$(_feedctl_feeds)"
		;;
	add)
		[[ $cur == -* ]] && COMPREPLY=($(compgen -W "--title --every
		    --pick -y --yes --force -j --json" -- "$cur"))
		;;
	remove)
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "--purge -j --json" -- "$cur"))
		else
			_feedctl_reply "$cur" "$(_feedctl_feeds)"
		fi
		;;
	moved)
		if [[ $prev == --feeds ]]; then
			COMPREPLY=($(compgen -f -- "$cur"))
		else
			COMPREPLY=($(compgen -W "--apply --gone --feeds --help" \
			    -- "$cur"))
		fi
		;;
	follow)
		COMPREPLY=($(compgen -W "--feed --tag -j --json --help" \
		    -- "$cur"))
		;;
	stats | version | reload)
		COMPREPLY=($(compgen -W "-j --json --help" -- "$cur"))
		;;
	parse)
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "--base" -- "$cur"))
		else
			COMPREPLY=($(compgen -f -- "$cur"))
		fi
		;;
	import)
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "-f --feeds --dry-run" \
			    -- "$cur"))
		else
			COMPREPLY=($(compgen -f -- "$cur"))
		fi
		;;
	export)
		COMPREPLY=($(compgen -W "-f --feeds" -- "$cur"))
		;;
	esac
} &&
complete -F _feedctl feedctl
