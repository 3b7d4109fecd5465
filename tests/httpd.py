#!/usr/bin/env python3
"""httpd.py: a scripted HTTP/1.1 server for feedd's tests (Python stdlib only).

It binds 127.0.0.1 on a free port (or --port), writes the port number to
--port-file once it listens, logs every request as one JSON line to --log,
and answers from a scenario.  SIGTERM and SIGINT make it exit at once.

Usage:
    httpd.py [--port-file FILE] [--log FILE] [--port N] [--bind ADDR]
             [--script FILE.json] [--dir DIR]

--dir DIR    serves the files under DIR as they are (GET/HEAD), with an ETag
             (from size and mtime) and a Last-Modified, a 304 when the
             request's validators match, and gzip when the client accepts it.
--script F   a JSON object mapping a request path (query string included if
             the key has one, else the path alone) to a response or a list of
             responses.  A list is played in order, one entry per request
             to that path; the last entry repeats.  The script is read again
             whenever the file changes (every counter then starts over), so
             a test can rewrite it between two polls.  Script entries win
             over --dir files.  Unknown paths get 404.

A response is an object; every key is optional:
    status        HTTP status (default 200, or 302 when "location" is set)
    reason        reason phrase (default: the standard one)
    headers       {"Name": "value", ...} extra response headers
    content_type  Content-Type (default "application/xml; charset=utf-8")
    body          the body, a string (UTF-8)
    body_file     the body read from a file at request time, relative to the
                  script's directory (or --dir), so a test can change it
    etag          sent as ETag; a request whose If-None-Match matches gets
                  304 Not Modified (automatic, no body)
    last_modified sent as Last-Modified; a request whose If-Modified-Since
                  is equal or later gets 304 (when If-None-Match is absent)
    gzip          true: Content-Encoding gzip (sent whatever the client said)
    gzip_bomb     N: a gzip body that decodes to an RSS prefix then N spaces
    delay         seconds to wait before answering; the request is logged
                  when the answer starts, so it shows only once the delay
                  is over (a request in flight is not in the log yet)
    log_early     true: log the request as soon as it arrives instead, so
                  a test can see that a delayed request is in flight
    location      Location header (relative or absolute)
    retry_after   Retry-After header value (seconds or an HTTP date)
    chunked       true: Transfer-Encoding chunked instead of Content-Length
    endless       true: after "body", repeat "filler" (default an RSS item)
                  in chunks forever, until the client goes away
    filler        the text that "endless" repeats
    truncate      N: announce the full Content-Length but send only N bytes
                  of the body, then close the connection
    close         true: close the connection right after the headers
    raw           a string written as-is instead of any HTTP response, then
                  the connection is closed (garbage, not HTTP)

Each log line is {"time", "method", "path", "status", "if_none_match",
"if_modified_since", "accept_encoding", "user_agent", "headers", "active",
"active_host"} (absent request headers are null; "active" counts the
requests being answered at that moment, this one included: from their
arrival until their response starts to go out, so that a client's next
request never finds the one it has finished still counted; and
"active_host" those among them for the same Host name, so tests can check
concurrency limits without timing anything).
"""

import argparse
import email.utils
import gzip
import http.server
import io
import json
import os
import signal
import socket
import socketserver
import sys
import threading
import time

DEFAULT_TYPE = "application/xml; charset=utf-8"
DEFAULT_FILLER = ("<item><title>more</title><description>"
                  + "x" * 200 + "</description></item>\n")
BOMB_PREFIX = b'<?xml version="1.0"?><rss version="2.0"><channel><title>b</title>'


class Scenario:
    """The script and the per-path request counters, reloaded on change."""

    def __init__(self, script, directory):
        self.script = script
        self.directory = directory
        self.base = (os.path.dirname(os.path.abspath(script)) if script
                     else directory or ".")
        self.lock = threading.Lock()
        self.stamp = None
        self.paths = {}
        self.counts = {}
        self.bombs = {}

    def _reload(self):
        if not self.script:
            return
        try:
            st = os.stat(self.script)
        except OSError:
            return
        stamp = (st.st_mtime_ns, st.st_size, st.st_ino)
        if stamp == self.stamp:
            return
        try:
            with open(self.script, encoding="utf-8") as f:
                paths = json.load(f)
        except (OSError, ValueError) as e:
            sys.stderr.write("httpd.py: %s: %s\n" % (self.script, e))
            return
        self.stamp = stamp
        self.paths = paths
        self.counts = {}

    def lookup(self, path):
        """Return the response dict for this request, or None."""
        with self.lock:
            self._reload()
            key = path if path in self.paths else path.split("?", 1)[0]
            entry = self.paths.get(key)
            if entry is None:
                return None
            if isinstance(entry, list):
                if not entry:
                    return None
                n = self.counts.get(key, 0)
                self.counts[key] = n + 1
                return entry[min(n, len(entry) - 1)]
            return entry

    def bomb(self, n):
        """Gzip of BOMB_PREFIX + n spaces, built once per size."""
        with self.lock:
            if n not in self.bombs:
                out = io.BytesIO()
                with gzip.GzipFile(fileobj=out, mode="wb", mtime=0) as g:
                    g.write(BOMB_PREFIX)
                    block = b" " * 65536
                    left = n
                    while left > 0:
                        g.write(block[:min(left, len(block))])
                        left -= len(block)
                self.bombs[n] = out.getvalue()
            return self.bombs[n]


def etag_matches(header, etag):
    if header is None or etag is None:
        return False
    if header.strip() == "*":
        return True
    want = etag[2:] if etag.startswith("W/") else etag
    for tag in header.split(","):
        tag = tag.strip()
        if tag.startswith("W/"):
            tag = tag[2:]
        if tag == want:
            return True
    return False


def not_modified_since(header, last_modified):
    if header is None or last_modified is None:
        return False
    if header.strip() == last_modified.strip():
        return True
    try:
        a = email.utils.parsedate_to_datetime(header)
        b = email.utils.parsedate_to_datetime(last_modified)
        return a >= b
    except (TypeError, ValueError, IndexError, OverflowError):
        return False


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "feedd-test-httpd/1"

    def version_string(self):
        return self.server_version

    def log_message(self, fmt, *args):
        pass

    def log_request_json(self, status):
        h = self.headers
        rec = {
            "time": time.time(),
            "method": self.command,
            "path": self.path,
            "status": status,
            "if_none_match": h.get("If-None-Match"),
            "if_modified_since": h.get("If-Modified-Since"),
            "accept_encoding": h.get("Accept-Encoding"),
            "user_agent": h.get("User-Agent"),
            "headers": {k: v for k, v in h.items()},
            "active": self.active,
            "active_host": self.active_host,
        }
        self.server.log_line(json.dumps(rec, sort_keys=True))

    def do_HEAD(self):
        self.answer(head=True)

    def do_GET(self):
        self.answer(head=False)

    def answer(self, head):
        host = self.headers.get("Host") or ""
        host = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        self.host = host
        with self.server.active_lock:
            self.server.active += 1
            self.server.active_host[host] = \
                self.server.active_host.get(host, 0) + 1
            self.active = self.server.active
            self.active_host = self.server.active_host[host]
        self.counted = True
        try:
            self._answer(head)
        except (BrokenPipeError, ConnectionResetError, socket.timeout):
            self.close_connection = True
        finally:
            self.uncount()

    def uncount(self):
        """This request stops counting as active.  Called just before the
        response goes out: once the client has all of it, it may start its
        next request at once, and that one must not find this one still
        counted (the counts are the client's transfers in flight)."""
        if not getattr(self, "counted", False):
            return
        self.counted = False
        with self.server.active_lock:
            self.server.active -= 1
            self.server.active_host[self.host] -= 1

    def _static(self):
        """A response dict for a --dir file, or None."""
        d = self.server.scenario.directory
        if not d:
            return None
        rel = self.path.split("?", 1)[0].lstrip("/")
        full = os.path.realpath(os.path.join(d, rel))
        root = os.path.realpath(d)
        if not full.startswith(root + os.sep) or not os.path.isfile(full):
            return None
        st = os.stat(full)
        etag = '"%x-%x"' % (st.st_size, st.st_mtime_ns)
        return {
            "body_file": full,
            "etag": etag,
            "last_modified": email.utils.formatdate(st.st_mtime, usegmt=True),
            "_static": True,
        }

    def _answer(self, head):
        sc = self.server.scenario
        r = sc.lookup(self.path)
        if r is None:
            r = self._static()
        if r is None:
            r = {"status": 404, "body": "not found\n",
                 "content_type": "text/plain"}
        if "raw" in r:
            self.pause(r)
            self.log_request_json("raw")
            self.uncount()
            self.wfile.write(r["raw"].encode("utf-8", "surrogateescape"))
            self.wfile.flush()
            self.close_connection = True
            return

        status = int(r.get("status", 302 if "location" in r else 200))
        headers = []
        etag = r.get("etag")
        lm = r.get("last_modified")
        if etag is not None:
            headers.append(("ETag", etag))
        if lm is not None:
            headers.append(("Last-Modified", lm))
        if "location" in r:
            headers.append(("Location", r["location"]))
        if "retry_after" in r:
            headers.append(("Retry-After", str(r["retry_after"])))
        for k, v in (r.get("headers") or {}).items():
            headers.append((k, str(v)))

        inm = self.headers.get("If-None-Match")
        ims = self.headers.get("If-Modified-Since")
        if status == 200 and (etag is not None or lm is not None):
            if inm is not None:
                hit = etag_matches(inm, etag)
            else:
                hit = not_modified_since(ims, lm)
            if hit:
                status = 304

        body = b""
        if status != 304:
            if "gzip_bomb" in r:
                body = sc.bomb(int(r["gzip_bomb"]))
                headers.append(("Content-Encoding", "gzip"))
            else:
                if "body_file" in r:
                    path = os.path.join(sc.base, r["body_file"])
                    with open(path, "rb") as f:
                        body = f.read()
                elif "body" in r:
                    body = r["body"].encode("utf-8")
                gz = r.get("gzip")
                if gz is None and r.get("_static"):
                    ae = self.headers.get("Accept-Encoding") or ""
                    gz = "gzip" in ae
                if gz:
                    body = gzip.compress(body, mtime=0)
                    headers.append(("Content-Encoding", "gzip"))
            headers.append(("Content-Type", r.get("content_type",
                                                  DEFAULT_TYPE)))

        self.pause(r)
        if not r.get("log_early"):
            self.log_request_json(status)
        if not (r.get("endless") or r.get("chunked")):
            self.uncount()
        reason = r.get("reason")
        if reason is not None:
            self.send_response_only(status, reason)
            self.send_header("Date", self.date_time_string())
        else:
            self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)

        endless = bool(r.get("endless"))
        chunked = bool(r.get("chunked")) or endless
        no_body = status == 304 or status < 200 or status == 204
        if no_body:
            self.end_headers()
            return
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length", str(len(body)))
        if r.get("close") or "truncate" in r:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if head or r.get("close"):
            self.wfile.flush()
            return
        if "truncate" in r:
            self.wfile.write(body[:int(r["truncate"])])
            self.wfile.flush()
            self.close_connection = True
            return
        if not chunked:
            self.wfile.write(body)
            self.wfile.flush()
            return
        self.write_chunk(body)
        if endless:
            filler = r.get("filler", DEFAULT_FILLER).encode("utf-8")
            block = filler * max(1, 16384 // max(1, len(filler)))
            while True:
                self.write_chunk(block)
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def pause(self, r):
        """The response's delay; with log_early the request is logged first."""
        if r.get("log_early"):
            self.log_request_json(int(r.get("status", 200)))
        if r.get("delay"):
            time.sleep(float(r["delay"]))

    def write_chunk(self, data):
        if not data:
            return
        self.wfile.write(b"%x\r\n" % len(data) + data + b"\r\n")
        self.wfile.flush()


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, addr, scenario, log):
        super().__init__(addr, Handler)
        self.scenario = scenario
        self.log = log
        self.log_lock = threading.Lock()
        self.active_lock = threading.Lock()
        self.active = 0
        self.active_host = {}

    def log_line(self, line):
        if self.log is None:
            return
        with self.log_lock:
            self.log.write(line + "\n")
            self.log.flush()


def main():
    ap = argparse.ArgumentParser(description="scripted HTTP server")
    ap.add_argument("--port-file")
    ap.add_argument("--log")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--bind", default="127.0.0.1")
    ap.add_argument("--script")
    ap.add_argument("--dir")
    a = ap.parse_args()

    def bye(signum, frame):
        os._exit(0)

    signal.signal(signal.SIGTERM, bye)
    signal.signal(signal.SIGINT, bye)

    log = open(a.log, "a", encoding="utf-8") if a.log else None
    srv = Server((a.bind, a.port), Scenario(a.script, a.dir), log)
    port = srv.server_address[1]
    if a.port_file:
        tmp = a.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % port)
        os.rename(tmp, a.port_file)
    else:
        print(port, flush=True)
    try:
        srv.serve_forever(poll_interval=0.5)
    finally:
        os._exit(0)


if __name__ == "__main__":
    main()
