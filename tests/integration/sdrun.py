#!/usr/bin/env python3
"""sdrun.py: run a program the way systemd would, for feedd's service tests.

It plays the service manager's side of two protocols, with real sockets and
no mocking of libsystemd:

  sd_notify   --notify PATH binds an AF_UNIX datagram socket at PATH and
              passes it as NOTIFY_SOCKET; every datagram received is
              written to --log as one line, its newlines shown as "|".
              --watchdog USEC also sets WATCHDOG_USEC and WATCHDOG_PID.
              --probe SOCK: when the first READY=1 arrives, connect to
              SOCK at once and log "PROBE=ok" or "PROBE=fail: reason", so
              a test can check that feedd listens before it says ready.
  activation  --listen PATH binds and listens on an AF_UNIX stream socket
              at PATH before the program starts and passes it as fd 3 with
              LISTEN_FDS=1, LISTEN_PID=<the program's pid> (set in the
              child after fork, as systemd does) and LISTEN_FDNAMES.
              --listen-dgram PATH passes a datagram socket instead (a
              wrong type feedd must refuse); --listen-count N passes N
              copies of the stream socket (too many).

The program's pid goes to --pid-file once it runs.  sdrun exits when the
program does, after logging "EXIT=status" (or "EXIT=signal N"), with the
program's exit status.  SIGTERM/SIGINT/SIGHUP sent to sdrun are passed on.

Usage: sdrun.py [options] -- PROGRAM [ARGS...]
"""

import argparse
import os
import select
import signal
import socket
import sys


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--notify")
    ap.add_argument("--log")
    ap.add_argument("--watchdog", type=int)
    ap.add_argument("--probe")
    ap.add_argument("--listen")
    ap.add_argument("--listen-dgram")
    ap.add_argument("--listen-count", type=int, default=1)
    ap.add_argument("--pid-file")
    ap.add_argument("argv", nargs=argparse.REMAINDER)
    args = ap.parse_args()
    argv = args.argv[1:] if args.argv[:1] == ["--"] else args.argv
    if not argv:
        ap.error("no program given")

    logf = open(args.log, "a", buffering=1) if args.log else None

    def log(line):
        if logf is not None:
            logf.write(line + "\n")

    nsock = None
    if args.notify:
        nsock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        nsock.bind(args.notify)
    lsock = None
    if args.listen:
        lsock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        lsock.bind(args.listen)
        lsock.listen(16)
    elif args.listen_dgram:
        lsock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        lsock.bind(args.listen_dgram)

    pid = os.fork()
    if pid == 0:
        try:
            env = dict(os.environ)
            for k in ("NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID",
                      "LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES"):
                env.pop(k, None)
            if nsock is not None:
                env["NOTIFY_SOCKET"] = args.notify
            if args.watchdog:
                env["WATCHDOG_USEC"] = str(args.watchdog)
                env["WATCHDOG_PID"] = str(os.getpid())
            if nsock is not None:
                nsock.close()
            if lsock is not None:
                n = args.listen_count
                # Copy the socket above the range, then fill 3..3+n-1.
                fd = os.dup(lsock.fileno())
                while fd < 3 + n:
                    fd = os.dup(fd)
                for i in range(n):
                    os.dup2(fd, 3 + i, inheritable=True)
                    os.set_inheritable(3 + i, True)
                os.close(fd)
                env["LISTEN_FDS"] = str(n)
                env["LISTEN_PID"] = str(os.getpid())
                env["LISTEN_FDNAMES"] = ":".join(["feedd.socket"] * n)
            os.execve(argv[0], argv, env)
        except BaseException as e:  # noqa: B902 -- report and leave
            sys.stderr.write("sdrun: exec %s: %s\n" % (argv[0], e))
            os._exit(127)

    if lsock is not None:
        lsock.close()
    if args.pid_file:
        with open(args.pid_file + ".tmp", "w") as f:
            f.write("%d\n" % pid)
        os.rename(args.pid_file + ".tmp", args.pid_file)

    def forward(signum, frame):
        try:
            os.kill(pid, signum)
        except ProcessLookupError:
            pass
    for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(s, forward)

    probed = False

    def drain(timeout):
        nonlocal probed
        if nsock is None:
            return
        try:
            r, _, _ = select.select([nsock], [], [], timeout)
        except InterruptedError:
            return
        while r:
            try:
                data = nsock.recv(65536, socket.MSG_DONTWAIT)
            except BlockingIOError:
                break
            msg = data.decode("utf-8", "replace")
            log(msg.rstrip("\n").replace("\n", "|"))
            if (args.probe and not probed and
                    "READY=1" in msg.split("\n")):
                probed = True
                c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                try:
                    c.connect(args.probe)
                    log("PROBE=ok")
                except OSError as e:
                    log("PROBE=fail: %s" % e)
                finally:
                    c.close()

    status = None
    while status is None:
        drain(0.05)
        try:
            wpid, st = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            break
        if wpid == pid:
            status = st
    drain(0)
    if status is None:
        log("EXIT=unknown")
        return 1
    if os.WIFSIGNALED(status):
        log("EXIT=signal %d" % os.WTERMSIG(status))
        return 128 + os.WTERMSIG(status)
    code = os.WEXITSTATUS(status)
    log("EXIT=%d" % code)
    return code


if __name__ == "__main__":
    sys.exit(main())
