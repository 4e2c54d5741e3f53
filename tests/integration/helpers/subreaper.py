#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Runs a command as a child subreaper, like containerd's shim or conmon.

  subreaper.py CMD [ARGS...]
Orphans below us (container inits once `cinch create` exits) are reparented
to us; we reap them and, if CINCH_REAP_LOG is set, append "PID STATUS" lines
to it, STATUS being the exit code or 128+signal. Exits with CMD's status.
"""
import ctypes
import os
import sys

PR_SET_CHILD_SUBREAPER = 36


def code(status):
    if os.WIFEXITED(status):
        return os.WEXITSTATUS(status)
    if os.WIFSIGNALED(status):
        return 128 + os.WTERMSIG(status)
    return 255


def main():
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        print("subreaper: prctl failed", file=sys.stderr)
        return 1
    log = os.environ.get("CINCH_REAP_LOG")
    main_pid = os.fork()
    if main_pid == 0:
        os.execvp(sys.argv[1], sys.argv[1:])
    main_status = None
    while True:
        try:
            pid, status = os.waitpid(-1, 0)
        except ChildProcessError:
            break
        if pid == main_pid:
            main_status = code(status)
        elif log:
            with open(log, "a") as f:
                f.write("%d %d\n" % (pid, code(status)))
        # Once the command is done, leftovers are reaped as they die; we do
        # not wait forever for containers the command left running.
        if main_status is not None:
            break
    return main_status if main_status is not None else 1


if __name__ == "__main__":
    sys.exit(main())
