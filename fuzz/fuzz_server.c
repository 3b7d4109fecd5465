/*
 * fuzz_server.c: libFuzzer target for the socket server's request
 * handling: server.c reading lines and server_cmd.c answering them, on a
 * real (temporary) store, as `feedd --stdio` serves feedctl.  The input
 * is what a client sends (request lines, or anything); it goes down one
 * end of a socketpair, the server runs on the other end until it has
 * answered and closed.  Properties checked:
 * - the server answers and closes (the loop ends);
 * - every line it writes is a JSON object, strict UTF-8, one line, with
 *   a boolean "ok", and a failure has an error code and message.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <ev.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "feedd.h"
#include "fuzz.h"

/* What feedd.c defines for the server. */
struct ev_loop	*feedd_loop;
struct store	*feedd_store;
struct config	*feedd_config;	/* none: no feeds file, no fetches */

static char	 fuzz_dir[] = "/tmp/fuzz-server.XXXXXX";
static char	 fuzz_db[64];
static struct buf fuzz_out;

/* Delete the scratch database at exit. */
static void
fuzz_cleanup(void)
{
	char	p[96];

	if (feedd_store != NULL)
		store_close(feedd_store);
	snprintf(p, sizeof p, "%s-wal", fuzz_db);
	unlink(p);
	snprintf(p, sizeof p, "%s-shm", fuzz_db);
	unlink(p);
	unlink(fuzz_db);
	rmdir(fuzz_dir);
}

/* A store with two feeds and a few items, as the server finds one. */
static void
fuzz_store(void)
{
	static const char *titles[] = { "Alpha one", "Alpha <b>two</b>",
	    "Beta \xc3\xa9t\xc3\xa9", "Beta four", "Beta five" };
	struct store		*st;
	struct store_feed	 f;
	struct feed_item	 it;
	char			*cause = NULL, key[16];
	int64_t			 id, feed;
	size_t			 i;

	if ((st = store_open(fuzz_db, &cause)) == NULL)
		fuzz_fail("store_open: %s", cause);
	for (i = 0; i < 5; i++) {
		if (store_feed_get(st, i < 2 ? "http://a.example/feed" :
		    "http://b.example/feed", &f) != 0)
			fuzz_fail("store_feed_get: %s", store_errmsg(st));
		feed = f.id;
		store_feed_clear(&f);
		memset(&it, 0, sizeof it);
		snprintf(key, sizeof key, "item-%zu", i);
		it.id = key;
		it.title = (char *)titles[i];
		it.url = "http://a.example/post";
		it.content_html = "<p>Some <a href=\"http://x.example/\">text"
		    "</a> zebra</p>";
		it.published = 1700000000 + (int64_t)i * 3600;
		it.modified = DATE_NONE;
		if (store_item_upsert(st, feed, &it, 1700000000, &id) == -1)
			fuzz_fail("upsert: %s", store_errmsg(st));
	}
	store_close(st);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char	*cause = NULL;

	fuzz_quiet();
	if (mkdtemp(fuzz_dir) == NULL)
		fuzz_fail("mkdtemp failed");
	snprintf(fuzz_db, sizeof fuzz_db, "%s/feedd.db", fuzz_dir);
	atexit(fuzz_cleanup);
	fuzz_store();
	/* As feedd --stdio: writes through the writer's connection. */
	if (writer_open(fuzz_db, &cause) != 0 ||
	    (feedd_store = store_open(fuzz_db, &cause)) == NULL)
		fuzz_fail("open: %s", cause);
	if (store_set_readonly(feedd_store) != 0)
		fuzz_fail("readonly: %s", store_errmsg(feedd_store));
	if ((feedd_loop = ev_default_loop(EVFLAG_AUTO)) == NULL)
		fuzz_fail("no libev loop");
	return (0);
}

/* Our end of the pair: read what the server writes, until it closes. */
static void
fuzz_read_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	char	buf[65536];
	ssize_t	n;

	while ((n = read(w->fd, buf, sizeof buf)) > 0)
		buf_add(&fuzz_out, buf, (size_t)n);
	if (n == 0 || (n == -1 && errno != EAGAIN))
		ev_io_stop(loop, w);
}

/*
 * Check the server's output: one JSON object a line, each with "ok"; a
 * failure with an "error" that has a code and a message.
 */
static void
fuzz_check_output(void)
{
	const char	*s, *nl, *end;
	json_t		*o, *e;
	json_error_t	 jerr;
	size_t		 at;

	if (fuzz_out.len == 0)
		return;
	if ((at = fuzz_utf8_bad(fuzz_out.data, fuzz_out.len)) != fuzz_out.len)
		fuzz_fail("invalid UTF-8 at byte %zu of the output", at);
	end = fuzz_out.data + fuzz_out.len;
	for (s = fuzz_out.data; s < end; s = nl + 1) {
		if ((nl = memchr(s, '\n', (size_t)(end - s))) == NULL)
			fuzz_fail("output does not end in a newline: "
			    "\"%.100s\"", s);
		o = json_loadb(s, (size_t)(nl - s), 0, &jerr);
		if (o == NULL || !json_is_object(o))
			fuzz_fail("not a JSON object (%s): \"%.100s\"",
			    o == NULL ? jerr.text : "other", s);
		if (!json_is_boolean(json_object_get(o, "ok")))
			fuzz_fail("a line without \"ok\": \"%.100s\"", s);
		e = json_object_get(o, "error");
		if (json_is_false(json_object_get(o, "ok")) &&
		    (!json_is_string(json_object_get(e, "code")) ||
		    !json_is_string(json_object_get(e, "message"))))
			fuzz_fail("a failure without code and message: "
			    "\"%.100s\"", s);
		json_decref(o);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ev_io	 w;
	int	 sv[2];
	size_t	 off = 0;
	ssize_t	 n;

	if (size > 65536)
		return (0);
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
		fuzz_fail("socketpair failed");
	fcntl(sv[0], F_SETFL, fcntl(sv[0], F_GETFL) | O_NONBLOCK);
	fcntl(sv[1], F_SETFL, fcntl(sv[1], F_GETFL) | O_NONBLOCK);
	while (off < size) {
		if ((n = write(sv[1], data + off, size - off)) <= 0)
			fuzz_fail("the input does not fit the socket buffer");
		off += (size_t)n;
	}
	shutdown(sv[1], SHUT_WR);
	buf_reset(&fuzz_out);
	ev_io_init(&w, fuzz_read_cb, sv[1], EV_READ);
	ev_io_start(feedd_loop, &w);
	server_attach("fuzz", sv[0]);
	ev_run(feedd_loop, 0);
	ev_io_stop(feedd_loop, &w);
	server_stop();
	close(sv[1]);
	fuzz_check_output();
	return (0);
}
