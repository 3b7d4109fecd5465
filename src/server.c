/*
 * server.c: the daemon's Unix socket and its clients, on the one libev loop
 * (feedd_loop).  Owns the listening socket (creation under a tight umask,
 * the "already running" check, stale socket replacement, systemd's socket
 * when given), peer credential checks, per-client input and output buffers
 * with hard caps, reading request lines (each handed to
 * server_cmd_dispatch() in server_cmd.c, which answers), the pacing of
 * streamed listings, "follow" subscribers and the announcements of stored
 * items (server_items_stored(), once per stored poll), and late freeing.
 *
 * Invariants:
 * - A client never makes the daemon's memory grow without bound: request
 *   lines are capped at PROTO_MAX_LINE; no new request is read while more
 *   than SERVER_OUT_HIWAT bytes wait to be sent; a streamed listing is
 *   produced a page at a time as the socket drains; a client whose pending
 *   output passes PROTO_MAX_OUTPUT (a follower that stopped reading) is cut
 *   off; and all clients' pending output together stays within
 *   SERVER_OUT_BUDGET: past it, the client with the most is cut off (a
 *   slow reader is dropped before it costs memory).
 * - A client with nothing to do (no request in progress, no output, not
 *   following) for SERVER_IDLE_TIMEOUT is closed; at the client limits,
 *   the longest idle one is closed to make room.
 * - EV_WRITE is armed only while output is queued and a write would block;
 *   output is batched and flushed from an ev_prepare before the loop sleeps
 *   (redis beforeSleep).
 * - Clients are freed late: server_client_kill() marks a client dead, stops
 *   its watchers and closes its socket; the memory is freed from the
 *   prepare callback, when no callback can still hold the pointer and no
 *   job still holds the client (server_client_hold(): a request whose
 *   answer waits for the writer thread).  A held client reads no further
 *   request until its answer is queued, so its answers keep their order.
 * - Nothing a client sends reaches fatal().
 */
#include <sys/types.h>
#include <sys/queue.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ev.h>
#include <jansson.h>

#include "feedd.h"
#include "proto.h"

#define SERVER_READ_SIZE	16384
#define SERVER_OUT_HIWAT	(1024 * 1024)	/* stop taking requests */
#define SERVER_OUT_LOWAT	(256 * 1024)	/* refill a listing below */
#define SERVER_LINES		64		/* requests a client a turn */
#define SERVER_ACCEPTS		64		/* accepts per callback */
#define SERVER_FOLLOW_BATCH	256		/* events rendered a turn */
#define SERVER_MAX_CLIENTS	1024		/* at once, at most ... */
#define SERVER_FD_RESERVE	128		/* ... leaving these descriptors */
#define SERVER_MAX_CLIENTS_UID	256		/* of one user at once */
#define SERVER_OUT_BUDGET	(64 * 1024 * 1024) /* queued output, all */
#define SERVER_IDLE_TIMEOUT	300.		/* s: a client doing nothing */
#define SERVER_SWEEP		10.		/* s: between idle sweeps */

struct client {
	int		 fd;
	u_int		 num;		/* for log messages */
	pid_t		 pid;
	uid_t		 uid;
	int		 flags;
#define CLIENT_DEAD	0x1	/* killed; freed from the prepare callback */
#define CLIENT_EOF	0x2	/* the peer will send no more */
#define CLIENT_CLOSING	0x4	/* close once output is flushed */
#define CLIENT_FOLLOW	0x8	/* a "follow" subscriber */
#define CLIENT_WAIT	0x10	/* an answer waits for a job */
	int		 refs;		/* jobs that hold the client */
	double		 active;	/* ev_now() of its last request */

	ev_io		 ev_read;
	ev_io		 ev_write;

	struct buf	 in;
	size_t		 in_off;	/* first unprocessed byte */
	struct buf	 out;
	size_t		 out_off;	/* first unsent byte */
	size_t		 out_noted;	/* its share of server_out_queued */

	struct server_stream *stream;	/* a listing (server_cmd.c) */

	int64_t		*follow_feeds;	/* follow filters */
	size_t		 nfollow_feeds;
	char		*follow_tag;

	/*
	 * Events owed to a follower: item ids (negative: updated, not new),
	 * rendered from the store only as the socket drains, so that a burst
	 * (one feed update can store thousands of items) costs 8 bytes an
	 * event rather than a rendered line.  A follower owing more than
	 * evq_max events (what the follow request allows) has stopped
	 * reading and is cut off.
	 */
	int64_t		*evq;
	size_t		 evq_head;
	size_t		 evq_len;
	size_t		 evq_cap;
	size_t		 evq_max;	/* cut off past this many */

	TAILQ_ENTRY(client) entry;
};
TAILQ_HEAD(client_list, client);

static struct client_list server_list = TAILQ_HEAD_INITIALIZER(server_list);
static size_t		 server_nclients;
static size_t		 server_max_clients;	/* server_limits() */
static size_t		 server_nfollowers;
static u_int		 server_next_num;
static int		 server_fd = -1;
static char		*server_path;
static const struct server_hooks *server_hooks;	/* NULL: --stdio */
static int		 server_unlink;	/* we created the socket file */
static int		 server_have_gid;
static gid_t		 server_gid;
static int		 server_running;
static ev_io		 server_ev_accept;
static ev_timer		 server_ev_pause;
static ev_prepare	 server_ev_prepare;
static ev_idle		 server_ev_idle;
static ev_timer		 server_ev_sweep;
static size_t		 server_out_queued;	/* all clients' pending */
static double		 server_idle_timeout = SERVER_IDLE_TIMEOUT;

static void	server_client_kill(struct client *, const char *);
static void	server_follow_fill(struct client *);
static void	server_client_update(struct client *);

/* Pending output bytes of a client. */
static size_t
server_client_pending(const struct client *c)
{
	return (c->out.len - c->out_off);
}

/* Keep server_out_queued, the pending output of all clients, current. */
static void
server_out_note(struct client *c)
{
	size_t	n = c->flags & CLIENT_DEAD ? 0 : server_client_pending(c);

	server_out_queued = server_out_queued - c->out_noted + n;
	c->out_noted = n;
}

/*
 * Past the budget of queued output: cut off the client that holds the
 * most (the slowest reader), until within it.
 */
static void
server_out_budget(void)
{
	struct client	*c, *big;

	while (server_out_queued > SERVER_OUT_BUDGET) {
		big = NULL;
		TAILQ_FOREACH(c, &server_list, entry)
			if (!(c->flags & CLIENT_DEAD) && (big == NULL ||
			    c->out_noted > big->out_noted))
				big = c;
		if (big == NULL)
			break;
		server_client_kill(big, "output budget of all clients "
		    "reached (not reading)");
	}
}

/*
 * Queue one JSON line for a client and release the object; cut the client
 * off past the output cap, or the slowest one past the budget of all.
 */
void
server_reply(struct client *c, json_t *obj)
{
	if (!(c->flags & CLIENT_DEAD)) {
		if (server_client_pending(c) > PROTO_MAX_OUTPUT)
			server_client_kill(c, "output cap reached "
			    "(not reading)");
		else {
			proto_dump(&c->out, obj);
			server_out_note(c);
			server_out_budget();
		}
	}
	json_decref(obj);
}

/* Is the client still there (not killed)? */
int
server_client_alive(const struct client *c)
{
	return (!(c->flags & CLIENT_DEAD));
}

/* The client's number, for log messages. */
u_int
server_client_num(const struct client *c)
{
	return (c->num);
}

/*
 * The client's answer waits for a job: it reads no further request, and
 * it is not freed, until server_client_release().
 */
void
server_client_hold(struct client *c)
{
	c->flags |= CLIENT_WAIT;
	c->refs++;
}

/* The job that held the client is done (its answer, if any, queued). */
void
server_client_release(struct client *c)
{
	c->flags &= ~CLIENT_WAIT;
	c->refs--;
}

/* The client's listing, or NULL. */
struct server_stream *
server_client_stream(const struct client *c)
{
	return (c->stream);
}

/* Give the client a listing (NULL: it ended), freeing the one it had. */
void
server_client_set_stream(struct client *c, struct server_stream *s)
{
	if (c->stream != s)
		server_cmd_stream_free(c->stream);
	c->stream = s;
}

/*
 * The client becomes a follower of the items stored from now on, of these
 * feeds (all when n is 0; the array is taken over) or this tag (NULL:
 * any), cut off when it owes more than max events.
 */
void
server_client_follow(struct client *c, int64_t *feeds, size_t n,
    const char *tag, size_t max)
{
	free(c->follow_feeds);
	free(c->follow_tag);
	c->follow_feeds = feeds;
	c->nfollow_feeds = n;
	c->follow_tag = tag != NULL ? xstrdup(tag) : NULL;
	c->evq_max = max;
	if (!(c->flags & CLIENT_FOLLOW)) {
		c->flags |= CLIENT_FOLLOW;
		server_nfollowers++;
	}
}

/* The daemon's hooks; NULL under feedd --stdio (no daemon). */
const struct server_hooks *
server_daemon(void)
{
	return (server_hooks);
}

/* Mark a client dead: stop its watchers and close it; freed later. */
static void
server_client_kill(struct client *c, const char *why)
{
	if (c->flags & CLIENT_DEAD)
		return;
	if (why != NULL)
		log_info("client %u (pid %ld, uid %ld): %s", c->num,
		    (long)c->pid, (long)c->uid, why);
	else
		log_debug("client %u: closed", c->num);
	c->flags |= CLIENT_DEAD;
	server_out_note(c);
	ev_io_stop(feedd_loop, &c->ev_read);
	ev_io_stop(feedd_loop, &c->ev_write);
	close(c->fd);
	c->fd = -1;
	if (c->flags & CLIENT_FOLLOW)
		server_nfollowers--;
	server_nclients--;
}

/* Release a dead client's memory. */
static void
server_client_free(struct client *c)
{
	TAILQ_REMOVE(&server_list, c, entry);
	buf_free(&c->in);
	buf_free(&c->out);
	server_cmd_stream_free(c->stream);
	free(c->follow_feeds);
	free(c->follow_tag);
	free(c->evq);
	free(c);
}

/*
 * Write as much pending output as the socket takes.  Arms EV_WRITE only
 * when a write would block; disarms it once everything is out.
 */
static void
server_client_flush(struct client *c)
{
	ssize_t	n;

	while (!(c->flags & CLIENT_DEAD) && server_client_pending(c) > 0) {
		n = send(c->fd, c->out.data + c->out_off,
		    server_client_pending(c), MSG_NOSIGNAL);
		if (n > 0) {
			c->out_off += (size_t)n;
			server_out_note(c);
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if (!ev_is_active(&c->ev_write))
				ev_io_start(feedd_loop, &c->ev_write);
			/* Keep the buffer from creeping forward forever. */
			if (c->out_off > 65536 &&
			    c->out_off > c->out.len / 2) {
				memmove(c->out.data, c->out.data + c->out_off,
				    server_client_pending(c));
				c->out.len -= c->out_off;
				c->out.data[c->out.len] = '\0';
				c->out_off = 0;
			}
			return;
		}
		server_client_kill(c, n == -1 && errno != EPIPE &&
		    errno != ECONNRESET ? "write failed" : NULL);
		return;
	}
	if (c->flags & CLIENT_DEAD)
		return;
	buf_reset(&c->out);
	c->out_off = 0;
	server_out_note(c);
	if (ev_is_active(&c->ev_write))
		ev_io_stop(feedd_loop, &c->ev_write);
	/* A shrunk buffer after a big listing gives memory back. */
	if (c->out.cap > 4 * SERVER_OUT_HIWAT)
		buf_free(&c->out);
}

/* Parse and answer one request line. */
static void
server_client_request(struct client *c, const char *line, size_t len)
{
	json_t		*req, *err, *id;
	json_error_t	 jerr;
	const char	*code;
	int		 cmd;

	while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == ' ' ||
	    line[len - 1] == '\t'))
		len--;
	if (len == 0)
		return;		/* blank lines are ignored */
	req = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	if (req == NULL) {
		server_reply(c, proto_error(NULL, PROTO_E_BAD_JSON,
		    "invalid JSON at column %d: %s", jerr.column, jerr.text));
		c->flags |= CLIENT_CLOSING;
		log_info("client %u: invalid JSON, closing", c->num);
		return;
	}
	if (proto_check(req, &cmd, &err) != 0) {
		code = json_string_value(json_object_get(json_object_get(err,
		    "error"), "code"));
		/* Not our protocol (version): say so and hang up. */
		if (code == NULL || strcmp(code, PROTO_E_BAD_JSON) == 0 ||
		    strcmp(code, PROTO_E_BAD_VERSION) == 0)
			c->flags |= CLIENT_CLOSING;
		server_reply(c, err);
		json_decref(req);
		return;
	}
	id = json_object_get(req, "id");
	log_debug("client %u: %s", c->num, proto_cmd_name(cmd));
	server_cmd_dispatch(c, cmd, id, req);
	json_decref(req);
}

/*
 * Do the work a client has waiting: refill its listing, answer buffered
 * requests (a bounded number per turn), notice the end.  Returns 1 if more
 * work remains that does not wait for the socket.
 */
static int
server_client_run(struct client *c)
{
	char	*start, *nl;
	size_t	 avail, len;
	int	 n;

	for (n = 0; n < SERVER_LINES; n++) {
		if (c->flags & CLIENT_DEAD)
			return (0);
		if (c->flags & CLIENT_WAIT)
			return (0);	/* an answer waits for a job */
		if (c->stream != NULL) {
			if (server_client_pending(c) >= SERVER_OUT_LOWAT)
				return (0);	/* wait for the socket */
			server_cmd_stream_fill(c);
			continue;
		}
		if (server_client_pending(c) > SERVER_OUT_HIWAT)
			return (0);
		if (c->flags & (CLIENT_CLOSING | CLIENT_FOLLOW)) {
			buf_reset(&c->in);
			c->in_off = 0;
			if (c->flags & CLIENT_FOLLOW)
				server_follow_fill(c);
			break;
		}
		avail = c->in.len - c->in_off;
		if (avail == 0)
			break;
		start = c->in.data + c->in_off;
		nl = memchr(start, '\n', avail);
		if (nl == NULL && avail > PROTO_MAX_LINE) {
			server_reply(c, proto_error(NULL,
			    PROTO_E_TOO_LARGE, "request longer than %d bytes",
			    PROTO_MAX_LINE));
			log_info("client %u: request too long, closing",
			    c->num);
			c->flags |= CLIENT_CLOSING;
			continue;
		}
		if (nl == NULL && !(c->flags & CLIENT_EOF))
			break;
		len = nl != NULL ? (size_t)(nl - start) : avail;
		c->in_off += nl != NULL ? len + 1 : len;
		if (len > PROTO_MAX_LINE) {
			server_reply(c, proto_error(NULL,
			    PROTO_E_TOO_LARGE, "request longer than %d bytes",
			    PROTO_MAX_LINE));
			c->flags |= CLIENT_CLOSING;
			continue;
		}
		server_client_request(c, start, len);
	}
	if (c->in_off == c->in.len) {
		buf_reset(&c->in);
		c->in_off = 0;
	} else if (c->in_off > 0 && c->in_off >= c->in.len / 2) {
		memmove(c->in.data, c->in.data + c->in_off,
		    c->in.len - c->in_off);
		c->in.len -= c->in_off;
		c->in.data[c->in.len] = '\0';
		c->in_off = 0;
	}
	if (n == SERVER_LINES)
		return (1);
	return (0);
}

/* Is a client finished: nothing more will be read, answered or sent? */
static int
server_client_done(struct client *c)
{
	if (server_client_pending(c) > 0 || c->stream != NULL ||
	    (c->flags & CLIENT_WAIT))
		return (0);
	if (c->flags & CLIENT_CLOSING)
		return (1);
	if ((c->flags & CLIENT_EOF) && (c->flags & CLIENT_FOLLOW))
		return (1);
	return ((c->flags & CLIENT_EOF) && c->in_off == c->in.len);
}

/* Arm the read watcher only while we can take more input. */
static void
server_client_update(struct client *c)
{
	int	want;

	if (c->flags & CLIENT_DEAD)
		return;
	want = !(c->flags & CLIENT_EOF) &&
	    c->in.len - c->in_off <= PROTO_MAX_LINE;
	if (want && !ev_is_active(&c->ev_read))
		ev_io_start(feedd_loop, &c->ev_read);
	else if (!want && ev_is_active(&c->ev_read))
		ev_io_stop(feedd_loop, &c->ev_read);
}

/* Readable: take what is there (discard it once closing). */
static void
server_read_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct client	*c = w->data;
	char		 tmp[SERVER_READ_SIZE];
	ssize_t		 n;

	n = read(c->fd, tmp, sizeof tmp);
	if (n == -1) {
		if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)
			return;
		server_client_kill(c, errno == ECONNRESET ? NULL :
		    "read failed");
		return;
	}
	if (n == 0) {
		c->flags |= CLIENT_EOF;
		if (c->flags & CLIENT_FOLLOW) {
			server_client_kill(c, NULL);
			return;
		}
	} else if (!(c->flags & (CLIENT_CLOSING | CLIENT_FOLLOW))) {
		buf_add(&c->in, tmp, (size_t)n);
		c->active = ev_now(loop);
	}
	server_client_run(c);
	server_client_update(c);
}

/* Writable: send what is queued. */
static void
server_write_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct client	*c = w->data;

	server_client_flush(c);
}

/*
 * Before the loop sleeps: free dead clients, run and flush the rest, and
 * keep the loop from sleeping while work remains (the idle watcher).
 */
static void
server_prepare_cb(struct ev_loop *loop, ev_prepare *w, int revents)
{
	struct client	*c, *c1;
	int		 more = 0;

	for (c = TAILQ_FIRST(&server_list); c != NULL; c = c1) {
		c1 = TAILQ_NEXT(c, entry);
		if (c->flags & CLIENT_DEAD) {
			if (c->refs == 0)
				server_client_free(c);
			continue;
		}
		if (server_client_run(c))
			more = 1;
		server_client_flush(c);
		if (c->flags & CLIENT_DEAD)
			continue;
		if (server_client_done(c)) {
			server_client_kill(c, NULL);
			continue;
		}
		if ((c->stream != NULL || c->evq_len > 0) &&
		    server_client_pending(c) < SERVER_OUT_LOWAT)
			more = 1;
		server_client_update(c);
	}
	if (more && !ev_is_active(&server_ev_idle))
		ev_idle_start(loop, &server_ev_idle);
	else if (!more && ev_is_active(&server_ev_idle))
		ev_idle_stop(loop, &server_ev_idle);
}

/* Idle: nothing to do here; it only keeps the loop from blocking. */
static void
server_idle_cb(struct ev_loop *loop, ev_idle *w, int revents)
{
}

/* Is uid a member of the socket group (primary or supplementary)? */
static int
server_in_group(uid_t uid, gid_t gid)
{
	struct passwd	*pw;
	gid_t		 groups[256];
	int		 n = 256, i;

	if ((pw = getpwuid(uid)) == NULL)
		return (0);
	if (pw->pw_gid == gid)
		return (1);
	if (getgrouplist(pw->pw_name, pw->pw_gid, groups, &n) == -1)
		return (0);
	for (i = 0; i < n; i++)
		if (groups[i] == gid)
			return (1);
	return (0);
}

/*
 * How many clients at once: SERVER_MAX_CLIENTS, and never so many that the
 * descriptors left (RLIMIT_NOFILE) fall below SERVER_FD_RESERVE for the
 * transfers, the database and the log.  With 256 descriptors, 238 idle
 * connections used to make accept fail with EMFILE over and over, and
 * polls failed.
 */
static void
server_limits(void)
{
	struct rlimit	rl;
	size_t		max = SERVER_MAX_CLIENTS;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) {
		if (rl.rlim_cur > 2 * SERVER_FD_RESERVE)
			rl.rlim_cur -= SERVER_FD_RESERVE;
		else
			rl.rlim_cur /= 2;
		if (rl.rlim_cur < max)
			max = rl.rlim_cur;
	}
	server_max_clients = max;
}

/* A client doing nothing: no request in work, no output, not following. */
static int
server_client_idle(struct client *c)
{
	return (!(c->flags & (CLIENT_DEAD | CLIENT_FOLLOW | CLIENT_WAIT |
	    CLIENT_CLOSING)) && c->refs == 0 && c->stream == NULL &&
	    c->out.len == c->out_off && c->in.len == c->in_off);
}

/*
 * Room for one more client of uid: below both limits, or by closing the
 * client that has been idle longest (of that uid, when it is the uid's
 * limit that is reached).  Returns 0, or -1 with *why and the *limit.
 */
static int
server_make_room(uid_t uid, const char **why, size_t *limit)
{
	struct client	*c, *idlest = NULL, *idlest_uid = NULL;
	size_t		 nuid = 0;

	TAILQ_FOREACH(c, &server_list, entry) {
		if (c->flags & CLIENT_DEAD)
			continue;
		if (c->uid == uid)
			nuid++;
		if (!server_client_idle(c))
			continue;
		if (idlest == NULL || c->active < idlest->active)
			idlest = c;
		if (c->uid == uid &&
		    (idlest_uid == NULL || c->active < idlest_uid->active))
			idlest_uid = c;
	}
	if (nuid >= SERVER_MAX_CLIENTS_UID) {
		if (idlest_uid == NULL) {
			*why = "too many clients of this user";
			*limit = SERVER_MAX_CLIENTS_UID;
			return (-1);
		}
		server_client_kill(idlest_uid, "idle, closed for a new client");
		return (0);
	}
	if (server_nclients >= server_max_clients) {
		if (idlest == NULL) {
			*why = "too many clients";
			*limit = server_max_clients;
			return (-1);
		}
		server_client_kill(idlest, "idle, closed for a new client");
	}
	return (0);
}

/* Start serving an accepted connection, if its peer may talk to us. */
static void
server_client_add(int fd)
{
	struct client	*c;
	struct ucred	 cred;
	socklen_t	 len = sizeof cred;
	const char	*why;
	char		 line[192];
	size_t		 limit;
	int		 n;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) {
		log_warn("accept: SO_PEERCRED");
		close(fd);
		return;
	}
	if (cred.uid != 0 && cred.uid != geteuid() && !(server_have_gid &&
	    (cred.gid == server_gid || server_in_group(cred.uid,
	    server_gid)))) {
		log_warnx("%s: refusing pid %ld uid %ld: not allowed",
		    server_path, (long)cred.pid, (long)cred.uid);
		close(fd);
		return;
	}
	if (server_make_room(cred.uid, &why, &limit) != 0) {
		/* A clear line, not silence; the socket is new and empty. */
		n = snprintf(line, sizeof line, "{\"id\":null,\"ok\":false,"
		    "\"error\":{\"code\":\"%s\",\"message\":\"%s (%zu "
		    "at most, all busy); try again later\"}}\n",
		    PROTO_E_BUSY, why, limit);
		(void)write(fd, line, (size_t)n);
		log_warnx("%s: refusing pid %ld uid %ld: %s", server_path,
		    (long)cred.pid, (long)cred.uid, why);
		close(fd);
		return;
	}
	c = xcalloc(1, sizeof *c);
	c->active = ev_now(feedd_loop);
	c->fd = fd;
	c->num = ++server_next_num;
	c->pid = cred.pid;
	c->uid = cred.uid;
	ev_io_init(&c->ev_read, server_read_cb, fd, EV_READ);
	ev_io_init(&c->ev_write, server_write_cb, fd, EV_WRITE);
	c->ev_read.data = c;
	c->ev_write.data = c;
	ev_io_start(feedd_loop, &c->ev_read);
	TAILQ_INSERT_TAIL(&server_list, c, entry);
	server_nclients++;
	log_debug("client %u: connected (pid %ld, uid %ld)", c->num,
	    (long)cred.pid, (long)cred.uid);
}

/* Every SERVER_SWEEP: close the clients idle past the timeout. */
static void
server_sweep_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct client	*c;
	double		 now = ev_now(loop);

	TAILQ_FOREACH(c, &server_list, entry)
		if (server_client_idle(c) &&
		    now - c->active >= server_idle_timeout)
			server_client_kill(c, "idle, closed");
}

/* Accepting is paused after EMFILE; resume after a second. */
static void
server_pause_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	if (server_running && server_fd != -1)
		ev_io_start(loop, &server_ev_accept);
}

/* The listening socket is readable: accept what waits. */
static void
server_accept_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	int	fd, i;

	for (i = 0; i < SERVER_ACCEPTS; i++) {
		fd = accept4(server_fd, NULL, NULL,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd != -1) {
			server_client_add(fd);
			continue;
		}
		switch (errno) {
		case EAGAIN:
#if EAGAIN != EWOULDBLOCK
		case EWOULDBLOCK:
#endif
		case EINTR:
		case ECONNABORTED:
			return;
		case EMFILE:
		case ENFILE:
		case ENOBUFS:
		case ENOMEM:
			log_warn("%s: accept (pausing for a second)",
			    server_path);
			ev_io_stop(loop, &server_ev_accept);
			ev_timer_set(&server_ev_pause, 1., 0.);
			ev_timer_start(loop, &server_ev_pause);
			return;
		default:
			log_warn("%s: accept", server_path);
			return;
		}
	}
}

/* Fill a Unix socket address; -1 if path does not fit. */
static int
server_sockaddr(struct sockaddr_un *sun, const char *path)
{
	size_t	len;

	memset(sun, 0, sizeof *sun);
	sun->sun_family = AF_UNIX;
	len = strlen(path);
	if (len == 0 || len >= sizeof sun->sun_path)
		return (-1);
	memcpy(sun->sun_path, path, len + 1);
	return (0);
}

/*
 * Is a daemon answering on path?  Returns 1 if one accepts a connection,
 * 0 if nobody listens (no file, or connection refused: a stale socket), -1
 * on other errors (errno set).  *pid, if pid is not NULL, is the
 * answering process's (SO_PEERCRED), or 0.
 */
int
server_probe(const char *path, pid_t *pid)
{
	struct sockaddr_un	 sun;
	struct ucred		 cr;
	socklen_t		 len = sizeof cr;
	int			 fd, rc, saved;

	if (server_sockaddr(&sun, path) != 0) {
		errno = ENAMETOOLONG;
		return (-1);
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return (-1);
	rc = connect(fd, (struct sockaddr *)&sun, sizeof sun);
	saved = errno;
	if (pid != NULL)
		*pid = rc == 0 && getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr,
		    &len) == 0 ? cr.pid : 0;
	close(fd);
	if (rc == 0)
		return (1);
	if (saved == ECONNREFUSED || saved == ENOENT)
		return (0);
	errno = saved;
	return (-1);
}

/* Create, bind and listen on path; 0, or -1 and *cause. */
static int
server_listen(const char *path, char **cause)
{
	struct sockaddr_un	 sun;
	struct stat		 sb;
	mode_t			 old;
	char			*fallback;
	int			 fd;

	if (server_sockaddr(&sun, path) != 0) {
		xasprintf(cause, "%s: socket path too long", path);
		return (-1);
	}
	switch (server_probe(path, NULL)) {
	case 1:
		xasprintf(cause, "%s: another feedd is listening", path);
		return (-1);
	case -1:
		xasprintf(cause, "%s: %s", path, strerror(errno));
		return (-1);
	}
	if (lstat(path, &sb) == 0) {
		if (!S_ISSOCK(sb.st_mode)) {
			xasprintf(cause, "%s: exists and is not a socket",
			    path);
			return (-1);
		}
		log_info("%s: replacing stale socket", path);
		if (unlink(path) != 0) {
			xasprintf(cause, "%s: unlink: %s", path,
			    strerror(errno));
			return (-1);
		}
	}
	fallback = config_socket_fallback_dir();
	if (util_in_dir(path, fallback) &&
	    util_private_dir(fallback, 1, cause) != 0) {
		free(fallback);
		return (-1);
	}
	free(fallback);
	if (util_mkdir_parents(path, 0755) != 0) {
		xasprintf(cause, "%s: cannot create directory: %s", path,
		    strerror(errno));
		return (-1);
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1) {
		xasprintf(cause, "%s: socket: %s", path, strerror(errno));
		return (-1);
	}
	old = umask(S_IXUSR | S_IRWXG | S_IRWXO);
	if (bind(fd, (struct sockaddr *)&sun, sizeof sun) != 0) {
		umask(old);
		xasprintf(cause, "%s: bind: %s", path, strerror(errno));
		close(fd);
		return (-1);
	}
	umask(old);
	server_unlink = 1;
	if (server_have_gid) {
		/*
		 * A socket made with the group already (the system unit's
		 * Group=feedd) needs no chown(2), which the unit's system
		 * call filter denies (@privileged).
		 */
		if (((stat(path, &sb) != 0 || sb.st_gid != server_gid) &&
		    chown(path, (uid_t)-1, server_gid) != 0) ||
		    chmod(path, 0660) != 0) {
			xasprintf(cause, "%s: socket-group: %s", path,
			    strerror(errno));
			close(fd);
			unlink(path);
			server_unlink = 0;
			return (-1);
		}
	} else if (chmod(path, 0600) != 0) {
		xasprintf(cause, "%s: chmod: %s", path, strerror(errno));
		close(fd);
		unlink(path);
		server_unlink = 0;
		return (-1);
	}
	if (listen(fd, 128) != 0) {
		xasprintf(cause, "%s: listen: %s", path, strerror(errno));
		close(fd);
		unlink(path);
		server_unlink = 0;
		return (-1);
	}
	server_fd = fd;
	return (0);
}

/*
 * Start serving on path, or on listen_fd (>= 0, from systemd) which is then
 * not unlinked at stop.  group, if not NULL, may connect too (mode 0660).
 * hooks are what the daemon offers its clients (reload, refresh, its
 * counters).  Returns 0, or -1 and *cause ("PATH: another feedd is
 * listening").
 */
int
server_start(const char *path, int listen_fd, const char *group,
    const struct server_hooks *hooks, char **cause)
{
	struct group	*gr;
	const char	*env;
	double		 t;
	int		 fl;

	if (server_running) {
		xasprintf(cause, "server already started");
		return (-1);
	}
	server_have_gid = 0;
	if (group != NULL && *group != '\0') {
		if ((gr = getgrnam(group)) == NULL) {
			xasprintf(cause, "socket-group %s: no such group",
			    group);
			return (-1);
		}
		server_gid = gr->gr_gid;
		server_have_gid = 1;
	}
	server_unlink = 0;
	free(server_path);
	server_path = xstrdup(path != NULL ? path : "(socket)");
	if (listen_fd >= 0) {
		fl = fcntl(listen_fd, F_GETFL);
		if (fl == -1 || fcntl(listen_fd, F_SETFL, fl | O_NONBLOCK) ||
		    fcntl(listen_fd, F_SETFD, FD_CLOEXEC) == -1) {
			xasprintf(cause, "%s: fcntl: %s", server_path,
			    strerror(errno));
			return (-1);
		}
		server_fd = listen_fd;
	} else if (server_listen(server_path, cause) != 0) {
		free(server_path);
		server_path = NULL;
		return (-1);
	}
	server_limits();
	ev_io_init(&server_ev_accept, server_accept_cb, server_fd, EV_READ);
	ev_io_start(feedd_loop, &server_ev_accept);
	ev_timer_init(&server_ev_pause, server_pause_cb, 1., 0.);
	ev_prepare_init(&server_ev_prepare, server_prepare_cb);
	ev_prepare_start(feedd_loop, &server_ev_prepare);
	ev_unref(feedd_loop);	/* the prepare watcher keeps nothing alive */
	/* $FEEDD_CLIENT_TIMEOUT (seconds) shortens the idle timeout, for tests. */
	if ((env = getenv("FEEDD_CLIENT_TIMEOUT")) != NULL &&
	    (t = strtod(env, NULL)) > 0)
		server_idle_timeout = t;
	ev_timer_init(&server_ev_sweep, server_sweep_cb,
	    server_idle_timeout < SERVER_SWEEP ? server_idle_timeout / 2 :
	    SERVER_SWEEP, server_idle_timeout < SERVER_SWEEP ?
	    server_idle_timeout / 2 : SERVER_SWEEP);
	ev_timer_start(feedd_loop, &server_ev_sweep);
	ev_unref(feedd_loop);	/* nor does the sweep */
	ev_idle_init(&server_ev_idle, server_idle_cb);
	server_hooks = hooks;
	server_running = 1;
	log_info("%s: listening", server_path);
	return (0);
}

/*
 * Serve one already connected socket and nothing else: feedctl's offline
 * access through `feedd --stdio`, when no daemon is running.  The requests
 * that need the poller (refresh, reload, follow) answer "offline".
 */
void
server_attach(const char *name, int fd)
{
	free(server_path);
	server_path = xstrdup(name);
	server_hooks = NULL;
	server_unlink = 0;
	server_have_gid = 0;
	server_fd = -1;
	ev_timer_init(&server_ev_pause, server_pause_cb, 1., 0.);
	ev_prepare_init(&server_ev_prepare, server_prepare_cb);
	ev_prepare_start(feedd_loop, &server_ev_prepare);
	ev_unref(feedd_loop);	/* the client's watchers keep the loop alive */
	ev_idle_init(&server_ev_idle, server_idle_cb);
	server_running = 1;
	server_limits();
	server_client_add(fd);
}

/* Close every client and the listening socket (removing our file). */
void
server_stop(void)
{
	struct client	*c;

	if (!server_running)
		return;
	server_refresh_stop();
	while ((c = TAILQ_FIRST(&server_list)) != NULL) {
		if (!(c->flags & CLIENT_DEAD)) {
			server_client_flush(c);
			server_client_kill(c, NULL);
		}
		server_client_free(c);
	}
	/* No job holds a client now: writer_stop() ran their callbacks. */
	ev_io_stop(feedd_loop, &server_ev_accept);
	ev_timer_stop(feedd_loop, &server_ev_pause);
	ev_ref(feedd_loop);
	ev_prepare_stop(feedd_loop, &server_ev_prepare);
	if (ev_is_active(&server_ev_sweep)) {
		ev_ref(feedd_loop);
		ev_timer_stop(feedd_loop, &server_ev_sweep);
	}
	ev_idle_stop(feedd_loop, &server_ev_idle);
	if (server_fd != -1)
		close(server_fd);
	server_fd = -1;
	if (server_unlink && server_path != NULL)
		unlink(server_path);
	server_unlink = 0;
	free(server_path);
	server_path = NULL;
	server_running = 0;
}

/* store_items() callback for a follow event: the one item's JSON. */
static int
server_follow_item_cb(const struct store_item *it, void *arg)
{
	json_t	**op = arg;

	if (*op == NULL)
		*op = proto_item_json(it);
	return (0);
}

/* An item as a follow event's JSON; NULL when it is gone (pruned). */
static json_t *
server_follow_item(int64_t item_id)
{
	struct store_query	 q;
	json_t			*item = NULL;

	memset(&q, 0, sizeof q);
	q.ids = &item_id;
	q.nids = 1;
	q.limit = 1;
	if (store_items(feedd_store, &q, 0, server_follow_item_cb,
	    &item) < 0) {
		log_warnx("follow: item %lld: %s", (long long)item_id,
		    store_errmsg(feedd_store));
		json_decref(item);
		return (NULL);
	}
	return (item);
}

/* Owe a follower one event; cut it off past the queue cap. */
static void
server_follow_push(struct client *c, int64_t item_id, int is_new)
{
	if (c->evq_len >= c->evq_max) {
		server_client_kill(c, "follower not reading, cut off");
		return;
	}
	if (c->evq_head + c->evq_len == c->evq_cap) {
		if (c->evq_head > 0) {
			memmove(c->evq, c->evq + c->evq_head,
			    c->evq_len * sizeof *c->evq);
			c->evq_head = 0;
		}
		if (c->evq_len == c->evq_cap) {
			c->evq_cap = c->evq_cap == 0 ? 64 : c->evq_cap * 2;
			c->evq = xreallocarray(c->evq, c->evq_cap,
			    sizeof *c->evq);
		}
	}
	c->evq[c->evq_head + c->evq_len++] = is_new ? item_id : -item_id;
}

/*
 * Render owed events while the socket keeps up: at most a batch a turn
 * and only below the low-water mark.  An item gone from the store since
 * (pruned) is skipped.
 */
static void
server_follow_fill(struct client *c)
{
	json_t			*o, *item;
	int64_t			 v;
	int			 n;

	for (n = 0; n < SERVER_FOLLOW_BATCH && c->evq_len > 0; n++) {
		if ((c->flags & CLIENT_DEAD) ||
		    server_client_pending(c) >= SERVER_OUT_LOWAT)
			break;
		v = c->evq[c->evq_head++];
		c->evq_len--;
		if ((item = server_follow_item(v < 0 ? -v : v)) == NULL)
			continue;
		o = json_object();
		json_object_set_new(o, "event", json_string("item"));
		json_object_set_new(o, "new", json_boolean(v > 0));
		json_object_set_new(o, "item", item);
		server_reply(c, o);
	}
	if (c->evq_len == 0)
		c->evq_head = 0;
}

/*
 * A poll's items were committed to the store, all of one feed (ids[i],
 * isnew[i]: inserted, else updated): owe {"event":"item","new":B,
 * "item":{...}} to each matching follower.  Called once per stored poll,
 * so each follower's feed and tag filters are checked once for all of it.
 */
void
server_items_stored(int64_t feed_id, const int64_t *ids, const int *isnew,
    size_t n)
{
	struct client	*c;
	size_t		 i;
	int		 has;

	if (!server_running || server_nfollowers == 0 || n == 0)
		return;
	TAILQ_FOREACH(c, &server_list, entry) {
		if ((c->flags & (CLIENT_DEAD | CLIENT_FOLLOW)) != CLIENT_FOLLOW)
			continue;
		if (c->nfollow_feeds > 0) {
			for (i = 0; i < c->nfollow_feeds; i++)
				if (c->follow_feeds[i] == feed_id)
					break;
			if (i == c->nfollow_feeds)
				continue;
		}
		if (c->follow_tag != NULL) {
			has = store_feed_has_tag(feedd_store, feed_id,
			    c->follow_tag);
			if (has == -1)
				log_warnx("follow: %s",
				    store_errmsg(feedd_store));
			if (has != 1)
				continue;
		}
		for (i = 0; i < n && !(c->flags & CLIENT_DEAD); i++) {
			if (ids[i] > 0)
				server_follow_push(c, ids[i], isnew[i]);
		}
	}
}

/* How many clients are connected now. */
size_t
server_clients(void)
{
	return (server_nclients);
}

/* How many of them follow. */
size_t
server_followers(void)
{
	return (server_nfollowers);
}
