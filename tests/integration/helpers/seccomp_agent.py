#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""A minimal seccomp agent for test_seccomp_listener.sh.

    seccomp_agent.py SOCKET LOG ERRNO

Listens on the UNIX socket SOCKET (linux.seccomp.listenerPath). For every
connection it reads the container process state (JSON) and the seccomp
notification fd sent with it (SCM_RIGHTS), appends the JSON as one line to
LOG.json, then answers every notified syscall of that container process with
-ERRNO and appends "pid=<notifying pid> nr=<syscall nr>" to LOG.notif.
It runs until killed; SOCKET exists once it accepts connections.
"""
import array
import fcntl
import json
import os
import select
import socket
import struct
import sys
import threading


def ioc(direction, kind, nr, size):
    # asm-generic/ioctl.h: dir(2 bits) | size(14) | type(8) | nr(8)
    return (direction << 30) | (size << 16) | (ord(kind) << 8) | nr


IOC_WRITE, IOC_READ = 1, 2
# linux/seccomp.h:
#   struct seccomp_data { int nr; __u32 arch; __u64 instruction_pointer;
#                         __u64 args[6]; }                           64 bytes
#   struct seccomp_notif { __u64 id; __u32 pid; __u32 flags;
#                          struct seccomp_data data; }               80 bytes
#   struct seccomp_notif_resp { __u64 id; __s64 val; __s32 error;
#                               __u32 flags; }                       24 bytes
NOTIF = struct.Struct("=QIIiIQ6Q")
RESP = struct.Struct("=QqiI")
# SECCOMP_IOCTL_NOTIF_RECV = _IOWR('!', 0, struct seccomp_notif)      0xc0502100
# SECCOMP_IOCTL_NOTIF_SEND = _IOWR('!', 1, struct seccomp_notif_resp) 0xc0182101
NOTIF_RECV = ioc(IOC_READ | IOC_WRITE, "!", 0, NOTIF.size)
NOTIF_SEND = ioc(IOC_READ | IOC_WRITE, "!", 1, RESP.size)

lock = threading.Lock()


def log(path, line):
    with lock, open(path, "a") as f:
        f.write(line + "\n")


def serve(fd, errno_ret, notif_log):
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    while True:
        events = poller.poll()
        if any(ev & (select.POLLHUP | select.POLLERR | select.POLLNVAL) for _, ev in events):
            break  # every process using the filter is gone
        buf = bytearray(NOTIF.size)  # the kernel wants it zeroed
        try:
            fcntl.ioctl(fd, NOTIF_RECV, buf, True)
        except OSError:
            continue  # the caller died meanwhile (ENOENT) or a signal
        nid, pid, _flags, nr, _arch, _ip, *_args = NOTIF.unpack(buf)
        log(notif_log, "pid=%d nr=%d" % (pid, nr))
        resp = bytearray(RESP.pack(nid, 0, -errno_ret, 0))
        try:
            fcntl.ioctl(fd, NOTIF_SEND, resp, True)
        except OSError:
            pass  # the caller is gone
    os.close(fd)


def main():
    path, log_base, errno_ret = sys.argv[1], sys.argv[2], int(sys.argv[3])
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    tmp = path + ".tmp"
    if os.path.exists(tmp):
        os.unlink(tmp)
    srv.bind(tmp)
    srv.listen(8)
    os.rename(tmp, path)  # appears only once it accepts
    while True:
        conn, _ = srv.accept()
        fds = array.array("i")
        msg, anc, _flags, _addr = conn.recvmsg(1 << 20, socket.CMSG_SPACE(4 * fds.itemsize))
        for level, kind, data in anc:
            if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                fds.frombytes(data[: len(data) - (len(data) % fds.itemsize)])
        while True:  # the runtime closes its end once it sent everything
            more = conn.recv(1 << 16)
            if not more:
                break
            msg += more
        conn.close()
        doc = json.loads(msg.decode())
        doc["_received_fds"] = len(fds)
        log(log_base + ".json", json.dumps(doc, sort_keys=True))
        for extra in fds[1:]:
            os.close(extra)
        if fds:
            threading.Thread(
                target=serve, args=(fds[0], errno_ret, log_base + ".notif"), daemon=True
            ).start()


if __name__ == "__main__":
    main()
