#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Receives a pty master over a --console-socket, as a shim or conmon would.

  console_receiver.py SOCKET OUTFILE
Listens on SOCKET (unix stream), accepts one connection, takes the fd passed
with SCM_RIGHTS, checks that it is a pty master (isatty), then copies what
the container writes to its terminal into OUTFILE until EOF/EIO. Writes
"fd-received" (or the failure) as the first line of OUTFILE.
"""
import array
import os
import socket
import sys


def main():
    path, out = sys.argv[1], sys.argv[2]
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen(1)
    # Tell the test we are listening.
    print("ready", flush=True)
    conn, _ = srv.accept()
    fds = array.array("i")
    msg, anc, _, _ = conn.recvmsg(4096, socket.CMSG_SPACE(4 * fds.itemsize))
    for level, typ, data in anc:
        if level == socket.SOL_SOCKET and typ == socket.SCM_RIGHTS:
            fds.frombytes(data[: len(data) - (len(data) % fds.itemsize)])
    with open(out, "w") as f:
        if len(fds) != 1:
            f.write("no-fd\n")
            return 1
        master = fds[0]
        f.write("fd-received tty=%s name=%s\n" % (os.isatty(master), msg.decode()))
        f.flush()
        while True:
            try:
                data = os.read(master, 4096)
            except OSError:
                break
            if not data:
                break
            f.write(data.decode(errors="replace"))
            f.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
