/*
 * store_bench.c: upsert and query rates of store.c on a real file.
 * Not built by make check; build against a configured tree's libfeedd.a:
 *
 *	cc -O2 -include config.h -I$SRC/src $SRC/tests/bench/store_bench.c \
 *	    libfeedd.a -lsqlite3 -lm -o store_bench
 *	./store_bench [DIR] [FEEDS] [ITEMS] [MAXCONTENT]
 *
 * Polls FEEDS feeds of ITEMS items each, one transaction per feed as
 * fetch.c does: a first pass (all new), a second (all unchanged), a third
 * (one item in ten changed), then times some reader queries.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "feedd.h"

/* Monotonic seconds. */
static double
now_s(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (ts.tv_sec + ts.tv_nsec / 1e9);
}

/* CPU seconds of this process. */
static double
cpu_s(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (ts.tv_sec + ts.tv_nsec / 1e9);
}

/* Count rows. */
static int
count_cb(const struct store_item *it, void *arg)
{
	(*(int64_t *)arg)++;
	return (0);
}

/*
 * One pass over every feed; returns upserts per second (wall clock) and
 * per CPU second.  Content lengths vary from 200 to about 6,000 bytes,
 * the same for the same item on every pass.
 */
static double
pass(struct store *st, int64_t *fids, int nfeeds, int nitems, int change,
    const char *body, int *counts, double *cpu_rate)
{
	struct feed_item	 it;
	char			 key[64], url[96], title[96], *content;
	size_t			 blen = strlen(body), clen;
	double			 t0, c0;
	int			 f, i, rc;

	content = xmalloc(blen + 1);
	t0 = now_s();
	c0 = cpu_s();
	for (f = 0; f < nfeeds; f++) {
		if (store_begin(st) != 0)
			fatalx("%s", store_errmsg(st));
		for (i = 0; i < nitems; i++) {
			memset(&it, 0, sizeof it);
			snprintf(key, sizeof key, "tag:example.com,2024:%d-%d",
			    f, i);
			snprintf(url, sizeof url,
			    "https://example.com/feed%d/posts/%d.html", f, i);
			snprintf(title, sizeof title, "Post number %d of feed "
			    "%d about things%s", i, f,
			    change && i % 10 == 0 ? " (updated)" : "");
			it.id = key;
			it.guid = key;
			it.url = url;
			it.title = title;
			clen = 200 + (size_t)((f * 7919 + i * 104729) %
			    (int)(blen - 200));
			memcpy(content, body, clen);
			content[clen] = '\0';
			it.content_html = content;
			it.published = 1700000000 + (int64_t)i * 3600;
			it.modified = DATE_NONE;
			rc = store_item_upsert(st, fids[f], &it, 1700000000,
			    NULL);
			if (rc < 0)
				fatalx("%s", store_errmsg(st));
			counts[rc]++;
		}
		if (store_prune(st, fids[f], FEEDD_KEEP_ITEMS, FEEDD_KEEP_AGE,
		    1, 1700000000) < 0 || store_commit(st) != 0)
			fatalx("%s", store_errmsg(st));
	}
	free(content);
	*cpu_rate = (double)nfeeds * nitems / (cpu_s() - c0);
	return ((double)nfeeds * nitems / (now_s() - t0));
}

/* Open a store in DIR, run the passes, print the rates. */
int
main(int argc, char **argv)
{
	struct store		*st;
	struct store_query	 q;
	struct store_stats	 ss;
	struct buf		 body = { 0 };
	const char		*dir = argc > 1 ? argv[1] : "/tmp";
	char			*path, *cause, url[64];
	int64_t			*fids, n;
	int			 nfeeds, nitems, f, c[3];
	size_t			 maxcontent;
	double			 r, rc, t0;

	nfeeds = argc > 2 ? (int)strtol(argv[2], NULL, 10) : 200;
	nitems = argc > 3 ? (int)strtol(argv[3], NULL, 10) : 100;
	maxcontent = argc > 4 ? (size_t)strtol(argv[4], NULL, 10) : 6000;
	if (maxcontent < 400)
		maxcontent = 400;
	xasprintf(&path, "%s/store_bench.%d.db", dir, (int)getpid());
	if ((st = store_open(path, &cause)) == NULL)
		fatalx("%s", cause);
	while (body.len < maxcontent)
		buf_adds(&body, "<p>Lorem ipsum dolor sit amet, consectetur "
		    "adipiscing elit, sed do eiusmod tempor.</p>\n");
	fids = xcalloc(nfeeds, sizeof *fids);
	for (f = 0; f < nfeeds; f++) {
		struct store_feed	sf;

		snprintf(url, sizeof url, "https://example.com/feed%d", f);
		if (store_feed_get(st, url, &sf) != 0)
			fatalx("%s", store_errmsg(st));
		fids[f] = sf.id;
		store_feed_clear(&sf);
	}

	printf("%d feeds x %d items, content 200-%zu bytes\n", nfeeds,
	    nitems, body.len);
	memset(c, 0, sizeof c);
	r = pass(st, fids, nfeeds, nitems, 0, body.data, c, &rc);
	printf("pass 1 (new):         %7.0f upserts/s (%7.0f/cpu s) new=%d "
	    "same=%d updated=%d\n", r, rc, c[STORE_NEW], c[STORE_SAME],
	    c[STORE_UPDATED]);
	memset(c, 0, sizeof c);
	r = pass(st, fids, nfeeds, nitems, 0, body.data, c, &rc);
	printf("pass 2 (unchanged):   %7.0f upserts/s (%7.0f/cpu s) new=%d "
	    "same=%d updated=%d\n", r, rc, c[STORE_NEW], c[STORE_SAME],
	    c[STORE_UPDATED]);
	memset(c, 0, sizeof c);
	r = pass(st, fids, nfeeds, nitems, 1, body.data, c, &rc);
	printf("pass 3 (10%% changed): %7.0f upserts/s (%7.0f/cpu s) new=%d "
	    "same=%d updated=%d\n", r, rc, c[STORE_NEW], c[STORE_SAME],
	    c[STORE_UPDATED]);

	memset(&q, 0, sizeof q);
	q.unread = 1;
	q.limit = 50;
	n = 0;
	t0 = now_s();
	store_items(st, &q, 0, count_cb, &n);
	printf("unread newest 50:    %9.3f ms (%lld rows)\n",
	    (now_s() - t0) * 1e3, (long long)n);
	memset(&q, 0, sizeof q);
	q.search = "updated";
	n = 0;
	t0 = now_s();
	store_items(st, &q, 0, count_cb, &n);
	printf("search 'updated':    %9.3f ms (%lld rows)\n",
	    (now_s() - t0) * 1e3, (long long)n);
	memset(&q, 0, sizeof q);
	t0 = now_s();
	n = store_mark(st, &q, STORE_MARK_READ);
	printf("mark all read:       %9.3f ms (%lld rows)\n",
	    (now_s() - t0) * 1e3, (long long)n);
	store_stats(st, &ss);
	printf("items %lld, db %lld bytes\n", (long long)ss.items,
	    (long long)ss.db_bytes);

	store_close(st);
	if (getenv("KEEP") == NULL)
		unlink(path);
	free(fids);
	buf_free(&body);
	free(path);
	return (0);
}
