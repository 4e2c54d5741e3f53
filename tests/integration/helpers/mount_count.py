#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# mount_count.py PID: prints how many mounts PID's mount namespace holds in
# all (listmount(2) of the namespace's root, so mounts hidden below the
# process's root count too), then how many PID sees in its mountinfo.
# Exits 77 when the kernel cannot say (listmount by namespace id is 6.11+).
import ctypes
import fcntl
import os
import struct
import sys

SYS_listmount = 458  # the same number on every architecture (new syscall table)
LSMT_ROOT = 0xFFFFFFFFFFFFFFFF
NS_GET_MNTNS_ID = 0x8008B705  # _IOR(0xb7, 5, __u64)

pid = sys.argv[1]
libc = ctypes.CDLL(None, use_errno=True)
with open(f"/proc/{pid}/mountinfo") as f:
    visible = sum(1 for _ in f)
fd = os.open(f"/proc/{pid}/ns/mnt", os.O_RDONLY | os.O_CLOEXEC)
try:
    ns_id = struct.unpack("=Q", fcntl.ioctl(fd, NS_GET_MNTNS_ID, bytes(8)))[0]
except OSError:
    sys.exit(77)
req = ctypes.create_string_buffer(struct.pack("=IIQQQ", 32, 0, LSMT_ROOT, 0, ns_id))
ids = (ctypes.c_uint64 * 4096)()
n = libc.syscall(SYS_listmount, req, ids, 4096, 0)
if n < 0:
    e = ctypes.get_errno()
    if e in (38, 22):  # ENOSYS, or EINVAL for a request size it predates
        sys.exit(77)
    sys.exit(f"listmount: {os.strerror(e)}")
print(n, visible)
