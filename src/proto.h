/*
 * proto.h: what feedd and feedctl share on the wire (the Unix socket).
 *
 * Newline-delimited JSON: one request object a line, one or more response
 * objects a line, each carrying the request's "id".  See feedd(8).
 *
 * ANY change to the names or meanings below needs PROTO_VERSION bumped.
 * Retired command names and error codes stay listed (as reserved) and are
 * never reused for something else.
 *
 * What only adds keeps the version (STYLE.md rule 13 read for additions):
 * a new command, error code, request member or answer member, which a
 * version 1 peer that does not know it never sends, ignores, or gets an
 * "unknown_command" for.  A bump would refuse every version 1 script
 * (socat one-liners, feedd-http, older feedctl) for no change in what
 * they rely on.  Issues 13 and 14 added discover, subscribe, unsubscribe,
 * fetch, counts, refresh's wait, items' read/unstarred/offset/order and
 * feeds' options this way.
 */
#ifndef PROTO_H
#define PROTO_H

#define PROTO_VERSION		1

#define PROTO_MAX_LINE		(64 * 1024)	/* request line cap, bytes */
#define PROTO_MAX_OUTPUT	(8 * 1024 * 1024) /* pending output cap */

/*
 * Commands.  "items" and "feeds" answer with one line per row,
 * {"id":N,"ok":true,"item":{...}} (or "feed"), then an end line
 * {"id":N,"ok":true,"end":true,"count":N,...}; the others answer with one
 * line; "follow" answers once and then sends {"event":"item",...} lines;
 * "refresh" with "wait": true sends a {"id":N,"ok":true,"progress":{...}}
 * line as each of its polls ends, then an end line {"id":N,"ok":true,
 * "end":true,...} (a member added within version 1: a request without
 * "wait" is answered as before).  "items" and "mark" take "unstarred":true
 * and "order":"id", also added within version 1 (a request without them
 * is answered as before; an older daemon ignores the one, refuses the
 * other).
 */
enum proto_cmd {
	PROTO_CMD_UNKNOWN = 0,
	PROTO_CMD_ITEMS,
	PROTO_CMD_ITEM,
	PROTO_CMD_MARK,
	PROTO_CMD_FEEDS,
	PROTO_CMD_REFRESH,
	PROTO_CMD_RELOAD,
	PROTO_CMD_STATS,
	PROTO_CMD_VERSION,
	PROTO_CMD_FOLLOW,
	/*
	 * Subscriptions (subscribe.c).  New commands only: the names and
	 * meanings above are unchanged, so version 1 clients still speak.
	 */
	PROTO_CMD_DISCOVER,
	PROTO_CMD_SUBSCRIBE,
	PROTO_CMD_UNSUBSCRIBE,
	PROTO_CMD_FETCH,
	PROTO_CMD_COUNTS,	/* feedd-http: every feed's counts at once */
};

/* Error codes, the "code" member of an error object. */
#define PROTO_E_BAD_JSON	"bad_json"	/* line is not a JSON object */
#define PROTO_E_BAD_VERSION	"bad_version"	/* "v" is not PROTO_VERSION */
#define PROTO_E_BAD_REQUEST	"bad_request"	/* bad or missing member */
#define PROTO_E_UNKNOWN_CMD	"unknown_command"
#define PROTO_E_TOO_LARGE	"too_large"	/* line over PROTO_MAX_LINE */
#define PROTO_E_NOT_FOUND	"not_found"	/* no such item or feed */
#define PROTO_E_AMBIGUOUS	"ambiguous"	/* feed title matches several */
#define PROTO_E_RELOAD		"reload_failed"	/* message has the cause */
#define PROTO_E_INTERNAL	"internal"	/* store error; logged */
#define PROTO_E_BUSY		"busy"		/* shutting down, or too many
						   clients */
#define PROTO_E_OFFLINE		"offline"	/* no daemon: feedd --stdio */
#define PROTO_E_EXISTS		"exists"	/* subscribe: already in the
						   feeds file (FILE:LINE) */
#define PROTO_E_FETCH		"fetch_failed"	/* the URL could not be
						   fetched or parsed: why */
#define PROTO_E_FILE		"file_error"	/* the feeds file could not
						   be read or written */

/* Values of "op" in a "mark" request. */
#define PROTO_MARK_READ		"read"
#define PROTO_MARK_UNREAD	"unread"
#define PROTO_MARK_STAR		"star"
#define PROTO_MARK_UNSTAR	"unstar"

#endif /* PROTO_H */
