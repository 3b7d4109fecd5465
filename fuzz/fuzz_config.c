/*
 * fuzz_config.c: libFuzzer target for config.c.  config.c reads files
 * only, so the input is written to a memfd and read back through
 * /proc/self/fd (Linux), once as feedd.conf with config_load_conf() and
 * once as a feeds file with config_load_feeds(), and once more as the
 * daemon reads it, leniently (config_load_feeds_skip()).  Properties
 * checked:
 * - a failed load gives a cause that names the file;
 * - what loads prints (config_print_conf, config_print_feeds) as a file
 *   that loads again to the same settings and the same feeds: "prints as
 *   a file that reads back the same", as config.c promises;
 * - causes and printed text are strict UTF-8;
 * - the lenient load never fails on a readable file, names the file in
 *   every skipped line, and what it keeps prints and reads back strictly.
 */
#include <sys/mman.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "feedd.h"
#include "fuzz.h"

#define FUZZ_MAX_INPUT	(256 * 1024)

static int	fuzz_fd[2] = { -1, -1 };
static char	fuzz_path[2][64];

/* Replace the contents of memfd i with len bytes of data. */
static void
fuzz_put(int i, const void *data, size_t len)
{
	if (ftruncate(fuzz_fd[i], 0) != 0)
		fuzz_fail("ftruncate: %s", strerror(errno));
	if (len > 0 && pwrite(fuzz_fd[i], data, len, 0) != (ssize_t)len)
		fuzz_fail("pwrite: %s", strerror(errno));
}

/* Print with fn into a new string; *lenp gets its length. */
static char *
fuzz_print(void (*fn)(FILE *, const struct config *),
    const struct config *cfg, size_t *lenp)
{
	FILE	*fp;
	char	*s = NULL;
	size_t	 len = 0;

	if ((fp = open_memstream(&s, &len)) == NULL)
		fuzz_fail("open_memstream: %s", strerror(errno));
	fn(fp, cfg);
	if (fclose(fp) != 0)
		fuzz_fail("fclose: %s", strerror(errno));
	*lenp = len;
	return (s);
}

/* A failed load's cause must exist, be UTF-8 and name the file. */
static void
fuzz_cause(const char *what, const char *cause, const char *path)
{
	if (cause == NULL)
		fuzz_fail("%s failed without a cause", what);
	fuzz_check_utf8(what, cause);
	if (strncmp(cause, path, strlen(path)) != 0)
		fuzz_fail("%s: cause \"%s\" does not name the file", what,
		    cause);
}

/* The input as feedd.conf: load, print, load the print, compare. */
static void
fuzz_conf(void)
{
	struct config	*cfg, *again;
	char		*cause = NULL, *text, *text2;
	size_t		 len, len2;

	cfg = config_new();
	if (config_load_conf(cfg, fuzz_path[0], 1, &cause) != 0) {
		fuzz_cause("config_load_conf", cause, fuzz_path[0]);
		free(cause);
		config_free(cfg);
		return;
	}
	text = fuzz_print(config_print_conf, cfg, &len);
	fuzz_check_utf8("printed feedd.conf", text);
	fuzz_put(1, text, len);
	again = config_new();
	if (config_load_conf(again, fuzz_path[1], 1, &cause) != 0)
		fuzz_fail("printed feedd.conf does not load: %s\n%s", cause,
		    text);
	text2 = fuzz_print(config_print_conf, again, &len2);
	if (len != len2 || memcmp(text, text2, len) != 0)
		fuzz_fail("printed feedd.conf reads back different:\n"
		    "--- first:\n%s--- again:\n%s", text, text2);
	free(text);
	free(text2);
	config_free(again);
	config_free(cfg);
}

/* Are two feed lists the same (line numbers aside)? */
static void
fuzz_same_feeds(const struct config *a, const struct config *b)
{
	const struct feed_conf	*x, *y;
	size_t			 i, j;

	if (a->nfeeds != b->nfeeds)
		fuzz_fail("printed feeds file has %zu feeds, not %zu",
		    b->nfeeds, a->nfeeds);
	for (i = 0; i < a->nfeeds; i++) {
		x = &a->feeds[i];
		y = &b->feeds[i];
		if (strcmp(x->url, y->url) != 0)
			fuzz_fail("feed %zu: url \"%s\" reads back as \"%s\"",
			    i, x->url, y->url);
		if ((x->title == NULL) != (y->title == NULL) ||
		    (x->title != NULL && strcmp(x->title, y->title) != 0))
			fuzz_fail("feed %zu: title \"%s\" reads back as "
			    "\"%s\"", i, x->title ? x->title : "(null)",
			    y->title ? y->title : "(null)");
		if (x->every != y->every || x->keep_items != y->keep_items)
			fuzz_fail("feed %zu: every/keep %lld/%lld read back "
			    "as %lld/%lld", i, (long long)x->every,
			    (long long)x->keep_items, (long long)y->every,
			    (long long)y->keep_items);
		if (x->ntags != y->ntags)
			fuzz_fail("feed %zu: %zu tags read back as %zu", i,
			    x->ntags, y->ntags);
		for (j = 0; j < x->ntags; j++) {
			if (strcmp(x->tags[j], y->tags[j]) != 0)
				fuzz_fail("feed %zu: tag \"%s\" reads back "
				    "as \"%s\"", i, x->tags[j], y->tags[j]);
		}
	}
}

/* The input as a feeds file: load, print, load the print, compare. */
static void
fuzz_feeds(void)
{
	struct config	*cfg, *again;
	char		*cause = NULL, *text;
	size_t		 len, i;

	cfg = config_new();
	if (config_load_feeds(cfg, fuzz_path[0], &cause) != 0) {
		fuzz_cause("config_load_feeds", cause, fuzz_path[0]);
		free(cause);
		config_free(cfg);
		return;
	}
	for (i = 0; i < cfg->nfeeds; i++) {
		if (cfg->feeds[i].url == NULL || *cfg->feeds[i].url == '\0')
			fuzz_fail("feed %zu has no url", i);
		fuzz_check_utf8("url", cfg->feeds[i].url);
		fuzz_check_utf8("title", cfg->feeds[i].title);
	}
	text = fuzz_print(config_print_feeds, cfg, &len);
	fuzz_check_utf8("printed feeds file", text);
	fuzz_put(1, text, len);
	again = config_new();
	if (config_load_feeds(again, fuzz_path[1], &cause) != 0)
		fuzz_fail("printed feeds file does not load: %s\n%s", cause,
		    text);
	fuzz_same_feeds(cfg, again);
	free(text);
	config_free(again);
	config_free(cfg);
}

/* The input as the daemon reads a feeds file: bad lines skipped. */
static void
fuzz_feeds_skip(void)
{
	struct config	*cfg, *again;
	char		*cause = NULL, *text;
	size_t		 len, i;

	cfg = config_new();
	if (config_load_feeds_skip(cfg, fuzz_path[0], &cause) != 0)
		fuzz_fail("config_load_feeds_skip failed on a readable file: "
		    "%s", cause);
	if (cfg->feeds_skipped.n > CONFIG_MAX_NOTES ||
	    (int)cfg->feeds_skipped.n > cfg->feeds_skipped.total)
		fuzz_fail("%zu skipped lines listed of %d",
		    cfg->feeds_skipped.n, cfg->feeds_skipped.total);
	for (i = 0; i < cfg->feeds_skipped.n; i++) {
		fuzz_cause("skipped line", cfg->feeds_skipped.v[i],
		    fuzz_path[0]);
	}
	text = fuzz_print(config_print_feeds, cfg, &len);
	fuzz_put(1, text, len);
	again = config_new();
	if (config_load_feeds(again, fuzz_path[1], &cause) != 0)
		fuzz_fail("what the lenient load kept does not load: %s\n%s",
		    cause, text);
	fuzz_same_feeds(cfg, again);
	free(text);
	config_free(again);
	config_free(cfg);
}

/* Make the two memfds and quiet the logs. */
int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	int	i;

	fuzz_quiet();
	for (i = 0; i < 2; i++) {
		if ((fuzz_fd[i] = memfd_create("fuzz_config", 0)) == -1)
			fuzz_fail("memfd_create: %s", strerror(errno));
		snprintf(fuzz_path[i], sizeof fuzz_path[i], "/proc/self/fd/%d",
		    fuzz_fd[i]);
	}
	return (0);
}

/* One input: as feedd.conf, then as a feeds file. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > FUZZ_MAX_INPUT)
		return (-1);
	fuzz_put(0, data, size);
	fuzz_conf();
	fuzz_feeds();
	fuzz_feeds_skip();
	return (0);
}
