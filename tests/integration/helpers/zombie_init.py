#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Runs a command while a container's init is a zombie (dead, not reaped).

  B=BUNDLE zombie_init.py ID CMD... -- CINCH [GLOBAL FLAGS...]
As a child subreaper that does not reap: `CINCH run -d --bundle B ID`, SIGKILL
to the init, wait until /proc shows it as a zombie, run CMD (a cinch
subcommand and its args, e.g. `exec ID true`), print "rc=N STDERR", then
reap the init and force-delete the container.
"""
import ctypes
import json
import os
import signal
import subprocess
import sys
import time

PR_SET_CHILD_SUBREAPER = 36


def main():
    sep = sys.argv.index("--")
    cid, cmd, cinch = sys.argv[1], sys.argv[2:sep], sys.argv[sep + 1:]
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    subprocess.run(cinch + ["run", "-d", "--bundle", os.environ["B"], cid],
                   stdin=subprocess.DEVNULL, check=True)
    state = subprocess.run(cinch + ["state", cid], capture_output=True, check=True)
    pid = json.loads(state.stdout)["pid"]
    os.kill(pid, signal.SIGKILL)
    for _ in range(250):
        with open("/proc/%d/stat" % pid) as f:
            if f.read().rsplit(") ", 1)[1][0] == "Z":
                break
        time.sleep(0.02)
    r = subprocess.run(cinch + cmd, capture_output=True, text=True)
    print("rc=%d %s" % (r.returncode, r.stderr.strip()))
    os.waitpid(pid, 0)
    subprocess.run(cinch + ["delete", "--force", cid])
    return 0


if __name__ == "__main__":
    sys.exit(main())
