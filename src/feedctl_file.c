/*
 * feedctl_file.c: the feedctl commands that work on files and need no
 * daemon: `parse` (a feed document through parse.c, printed as JSON Feed
 * 1.1 by render.c as it is parsed), `import` (an OPML file's feeds
 * appended to the feeds file, through opml.c) and `export` (the feeds file
 * as OPML).  feedctl.c owns the command table, the flags and the daemon's
 * socket; see its top comment for the exit status.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "feedd.h"

enum {
	FILE_OPT_FEEDS = 256, FILE_OPT_DRYRUN
};

static const char	*feedctl_feeds_path;	/* --feeds */

/* "parse": a feed as JSON Feed 1.1 (render.c), printed as it is parsed. */
int
feedctl_parse(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "base", required_argument, NULL, 'b' },
		{ NULL, 0, NULL, 0 }
	};
	struct render_jsonfeed	*out;
	struct parser		*p;
	struct buf		 doc = { NULL, 0, 0 };
	const char		*base = NULL, *name = "<stdin>";
	char			*cause = NULL, *final = NULL;
	int			 ch, fd = STDIN_FILENO, rc = 0, url = 0;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) == 'b')
		base = optarg;
	if (ch != -1 || optind != argc - 1) {
		fprintf(stderr, "usage: feedctl parse [--base URL] "
		    "FILE|URL|-\n");
		return (EXIT_USAGE);
	}
	/* An http(s) URL: fetched by feedd (or an offline feedd). */
	if (strncasecmp(argv[optind], "http://", 7) == 0 ||
	    strncasecmp(argv[optind], "https://", 8) == 0) {
		name = argv[optind];
		url = 1;
		feedctl_fetch_url(name, &doc, &final);
		if (base == NULL)
			base = final;
	} else if (strcmp(argv[optind], "-") != 0) {
		name = argv[optind];
		if ((fd = open(name, O_RDONLY)) == -1) {
			warn("%s", name);
			return (EXIT_DAEMON);
		}
	}
	out = render_jsonfeed_new(stdout);
	p = parser_new(base, render_jsonfeed_item, out);
	render_jsonfeed_meta(out, parser_meta(p));
	if (url) {
		if (doc.len > 0)
			(void)parser_push(p, doc.data, doc.len);
	} else if (parser_read(p, fd) != 0) {
		warn("%s", name);
		rc = EXIT_DAEMON;
	}
	if (fd != STDIN_FILENO)
		close(fd);
	if (parser_finish(p, &cause) != 0) {
		if (cause != NULL)
			fprintf(stderr, "%s:%s\n", name, cause);
		rc = EXIT_DAEMON;
	}
	render_jsonfeed_end(out, rc == 0);
	if (parser_meta(p)->nunsafe > 0)
		fprintf(stderr, "feedctl: %s: dropped %zu active HTML elements, "
		    "attributes and URLs\n", name, parser_meta(p)->nunsafe);
	free(cause);
	parser_free(p);
	buf_free(&doc);
	free(final);
	return (rc);
}

/* Parse --feeds FILE and --dry-run; returns the feeds file path. */
static char *
feedctl_feeds_file(int argc, char **argv, int *dry_run)
{
	static const struct option opts[] = {
		{ "feeds", required_argument, NULL, FILE_OPT_FEEDS },
		{ "dry-run", no_argument, NULL, FILE_OPT_DRYRUN },
		{ NULL, 0, NULL, 0 }
	};
	int	ch;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "f:", opts, NULL)) != -1) {
		switch (ch) {
		case 'f':
		case FILE_OPT_FEEDS:
			feedctl_feeds_path = optarg;
			break;
		case FILE_OPT_DRYRUN:
			if (dry_run == NULL)
				feedctl_usage_error("%s: unknown flag: %s",
				    argv[0], argv[optind - 1]);
			*dry_run = 1;
			break;
		default:
			feedctl_usage_error("%s: unknown flag: %s", argv[0],
			    argv[optind - 1]);
		}
	}
	if (feedctl_feeds_path != NULL)
		return (xstrdup(feedctl_feeds_path));
	return (config_default_path("feeds"));
}

/* Append s as a feeds-file word: quoted unless plain. */
static void
feedctl_feeds_word(struct buf *b, const char *s)
{
	const char	*p;
	int		 plain = *s != '\0' && *s != '"' && *s != '#' &&
			    *s != '~';

	for (p = s; plain && *p != '\0'; p++)
		if ((unsigned char)*p <= 0x20 || *p == 0x7f || *p == '=')
			plain = 0;
	if (plain) {
		buf_adds(b, s);
		return;
	}
	buf_addc(b, '"');
	for (p = s; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			buf_addc(b, '\\');
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			buf_addc(b, ' ');
		else
			buf_addc(b, *p);
	}
	buf_addc(b, '"');
}

/*
 * "import FILE.opml": append the OPML file's feeds that the feeds file
 * does not have yet; report the ones it has.  Never rewrites the file.
 */
int
feedctl_import(int argc, char **argv)
{
	struct config		*have, *opml;
	struct feed_conf	*fc;
	struct buf		 b;
	struct stat		 sb;
	char			*path, *cause = NULL, *tag, *p;
	size_t			 i, j, k, added = 0, dups = 0;
	int			 dry_run = 0, fd, dup, last_nl = 1;
	char			 c;

	path = feedctl_feeds_file(argc, argv, &dry_run);
	if (argc - optind != 1)
		feedctl_usage_error("import: needs one OPML file");
	opml = config_new();
	if (opml_read(argv[optind], opml, &cause) != 0)
		errx(EXIT_DAEMON, "%s", cause);
	have = config_new();
	if (stat(path, &sb) == 0) {
		if (config_load_feeds(have, path, &cause) != 0)
			errx(EXIT_DAEMON, "%s", cause);
	} else if (errno != ENOENT)
		err(EXIT_DAEMON, "%s", path);
	memset(&b, 0, sizeof b);
	for (i = 0; i < opml->nfeeds; i++) {
		fc = &opml->feeds[i];
		dup = 0;
		for (j = 0; j < have->nfeeds && !dup; j++) {
			if (feedsfile_url_same(have->feeds[j].url, fc->url)) {
				p = feedctl_text(fc->url, 0);
				printf("duplicate: %s (already in %s:%d)\n", p,
				    path, have->feeds[j].line);
				free(p);
				dup = 1;
			}
		}
		for (k = 0; k < i && !dup; k++) {
			if (feedsfile_url_same(opml->feeds[k].url, fc->url)) {
				p = feedctl_text(fc->url, 0);
				printf("duplicate: %s (twice in %s)\n", p,
				    argv[optind]);
				free(p);
				dup = 1;
			}
		}
		if (dup) {
			dups++;
			continue;
		}
		feedctl_feeds_word(&b, fc->url);
		for (j = 0; j < fc->ntags; j++) {
			buf_addc(&b, ' ');
			tag = xstrdup(fc->tags[j]);
			for (p = tag; *p != '\0'; p++)
				if (*p == '=')
					*p = '-';
			feedctl_feeds_word(&b, tag);
			free(tag);
		}
		config_feed_options(&b, fc);
		if (fc->title != NULL && *fc->title != '\0') {
			xasprintf(&tag, "~%s", fc->title);
			buf_addc(&b, ' ');
			feedctl_feeds_word(&b, tag);
			free(tag);
		}
		buf_addc(&b, '\n');
		added++;
	}
	if (dry_run)
		fwrite(b.data != NULL ? b.data : "", 1, b.len, stdout);
	else if (added > 0) {
		if (util_mkdir_parents(path, 0755) != 0)
			err(EXIT_DAEMON, "%s", path);
		fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
		if (fd == -1)
			err(EXIT_DAEMON, "%s", path);
		if (fstat(fd, &sb) == 0 && sb.st_size > 0 &&
		    pread(fd, &c, 1, sb.st_size - 1) == 1 && c != '\n')
			last_nl = 0;
		if ((!last_nl && write(fd, "\n", 1) != 1) ||
		    write(fd, b.data, b.len) != (ssize_t)b.len)
			err(EXIT_DAEMON, "%s", path);
		if (close(fd) != 0)
			err(EXIT_DAEMON, "%s", path);
	}
	printf("%s %zu feed%s to %s; %zu already present.\n",
	    dry_run ? "Would add" : "Added", added, added == 1 ? "" : "s",
	    path, dups);
	if (added > 0 && !dry_run)
		printf("Run feedctl reload to start polling them.\n");
	buf_free(&b);
	config_free(have);
	config_free(opml);
	free(path);
	return (0);
}

/* "export": the feeds file as OPML 2.0 on stdout (needs no daemon). */
int
feedctl_export(int argc, char **argv)
{
	struct config	*cfg;
	char		*path, *cause = NULL, **titles;
	size_t		 i;

	path = feedctl_feeds_file(argc, argv, NULL);
	if (optind != argc)
		feedctl_usage_error("export: unexpected argument: %s",
		    argv[optind]);
	cfg = config_new();
	if (config_load_feeds(cfg, path, &cause) != 0)
		errx(EXIT_DAEMON, "%s", cause);
	titles = feedctl_store_titles(cfg);
	if (opml_write_titles(stdout, cfg, titles, &cause) != 0)
		errx(EXIT_DAEMON, "%s", cause);
	for (i = 0; titles != NULL && i < cfg->nfeeds; i++)
		free(titles[i]);
	free(titles);
	config_free(cfg);
	free(path);
	return (0);
}

/*
 * The feeds file at path with the URL of each line that names from[i]
 * replaced by to[i], every other byte kept (comments, blank lines, order,
 * tags, titles, options, quoting); a to[i] that starts with "#" is a note
 * written before the line, which is commented out.  Each change is printed as a diff
 * hunk; with apply, the file is rewritten atomically.  Returns how many
 * lines changed.
 */
size_t
feedctl_feeds_move(const char *path, char **from, char **to, size_t n,
    int apply)
{
	struct buf	 in = { NULL, 0, 0 }, out = { NULL, 0, 0 };
	struct buf	 url = { NULL, 0, 0 };
	struct stat	 sb;
	const char	*line, *end, *eol, *word, *after;
	char		 chunk[65536], *cause;
	size_t		 i, changed = 0, mark;
	ssize_t		 r;
	int		 fd, lineno = 0, header = 0, shift = 0;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1 ||
	    fstat(fd, &sb) != 0)
		err(EXIT_DAEMON, "%s", path);
	while ((r = read(fd, chunk, sizeof chunk)) > 0)
		buf_add(&in, chunk, (size_t)r);
	if (r == -1)
		err(EXIT_DAEMON, "%s", path);
	close(fd);
	end = in.data != NULL ? in.data + in.len : NULL;
	for (line = in.data; line != NULL && line < end; line = eol) {
		lineno++;
		if ((eol = memchr(line, '\n', (size_t)(end - line))) == NULL)
			eol = end;
		else
			eol++;
		word = line;
		after = line;
		if (feedsfile_url_word(&after, eol, &url) == 0) {
			while (*word == ' ' || *word == '\t')
				word++;
			/* The daemon knows the URL without its fragment. */
			url.data[strcspn(url.data, "#")] = '\0';
			for (i = 0; i < n; i++)
				if (strcmp(url.data, from[i]) == 0)
					break;
			if (i < n && !header)
				printf("--- %s\n+++ %s\n", path, path);
			if (i < n)
				header = 1;
			if (i < n && to[i][0] == '#') {
				/* A gone feed: a note, then the line commented. */
				buf_printf(&out, "%s\n#", to[i]);
				buf_add(&out, line, (size_t)(eol - line));
				printf("@@ -%d +%d,2 @@\n-%.*s%s+%s\n+#%.*s%s", lineno,
				    lineno + shift++, (int)(eol - line), line,
				    eol[-1] == '\n' ? "" : "\n", to[i],
				    (int)(eol - line), line,
				    eol[-1] == '\n' ? "" : "\n");
				changed++;
				continue;
			}
			if (i < n) {
				mark = out.len;
				buf_add(&out, line, (size_t)(word - line));
				feedctl_feeds_word(&out, to[i]);
				buf_add(&out, after, (size_t)(eol - after));
				printf("@@ -%d +%d @@\n-%.*s%s+%.*s%s", lineno,
				    lineno + shift, (int)(eol - line), line,
				    eol[-1] == '\n' ? "" : "\n",
				    (int)(out.len - mark), out.data + mark,
				    out.data[out.len - 1] == '\n' ? "" : "\n");
				changed++;
				continue;
			}
		}
		buf_add(&out, line, (size_t)(eol - line));
	}
	if (apply && changed > 0)
		if (feedsfile_write(path, &out, sb.st_mode, &cause) != 0)
			errx(EXIT_DAEMON, "%s", cause);
	buf_free(&in);
	buf_free(&out);
	buf_free(&url);
	return (changed);
}
