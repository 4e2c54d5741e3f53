#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Prints an OCI `linux.seccomp` object equivalent in shape and cost to
# Docker's default profile as Docker resolves it for its 14 default
# capabilities (facts: shared/research/anchors.md B.3). It is generated, not
# copied: every syscall the x86_64 and i386 kernel headers name is allowed
# except the ones Docker's default profile leaves out, plus Docker's four
# argument-filtered rules (personality, clone, clone3 -> ENOSYS, socket
# without AF_ALG/AF_VSOCK). Three architectures, like Docker on x86_64.
# Used only by the benchmark when cinch's own profiles/seccomp/default.json
# does not exist yet.
set -euo pipefail

hdr_dir=${SECCOMP_HEADER_DIR:-/usr/include/x86_64-linux-gnu/asm}
for h in unistd_64.h unistd_32.h; do
	[ -r "$hdr_dir/$h" ] || { echo "gen-seccomp: $hdr_dir/$h missing (linux-libc-dev)" >&2; exit 1; }
done

# Not in Docker's default allow list for its 14 capabilities: the
# CAP_SYS_ADMIN/BOOT/MODULE/PACCT/RAWIO/TIME/TTY_CONFIG/NICE/SYSLOG/BPF/
# PERFMON/DAC_READ_SEARCH-conditional calls, key management, io_uring, and
# the never-implemented entries. The four filtered calls are added below.
blocked="acct add_key bpf clock_adjtime clock_adjtime64 clock_settime clock_settime64
create_module delete_module finit_module get_kernel_syms init_module query_module
kexec_file_load kexec_load keyctl request_key ioperm iopl kcmp pidfd_getfd
process_madvise lookup_dcookie mount umount umount2 pivot_root mount_setattr move_mount
open_tree fsconfig fsmount fsopen fspick move_pages mbind get_mempolicy set_mempolicy
set_mempolicy_home_node open_by_handle_at perf_event_open quotactl quotactl_fd reboot
setns unshare setdomainname sethostname settimeofday stime swapon swapoff sysfs _sysctl
syslog uselib userfaultfd ustat vhangup vm86 vm86old io_uring_setup io_uring_enter
io_uring_register fanotify_init lsm_get_self_attr lsm_set_self_attr lsm_list_modules
nfsservctl afs_syscall tuxcall security vserver putpmsg getpmsg break ftime gtty lock
mpx prof profil stty idle ulimit modify_ldt
personality clone clone3 socket"

sed -n 's/^#define __NR_\([a-z0-9_]*\)[[:space:]].*/\1/p' "$hdr_dir/unistd_64.h" "$hdr_dir/unistd_32.h" |
	sort -u | grep -vxF -f <(tr ' ' '\n' <<<"$blocked" | sed '/^$/d') |
	jq -R . | jq -s '
	# OCI arg: value is datum A (for MASKED_EQ the mask), valueTwo datum B.
	def allow_arg($name; $op; $a; $b):
	  {names: [$name], action: "SCMP_ACT_ALLOW",
	   args: [{index: 0, value: $a, valueTwo: $b, op: $op}]};
	{
	  defaultAction: "SCMP_ACT_ERRNO",
	  architectures: ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
	  syscalls: [
	    {names: ., action: "SCMP_ACT_ALLOW"},
	    (0, 8, 131072, 131080, 4294967295 | allow_arg("personality"; "SCMP_CMP_EQ"; .; 0)),
	    # No CLONE_NEWNS/NEWCGROUP/NEWUTS/NEWIPC/NEWUSER/NEWPID/NEWNET.
	    allow_arg("clone"; "SCMP_CMP_MASKED_EQ"; 2114060288; 0),
	    {names: ["clone3"], action: "SCMP_ACT_ERRNO", errnoRet: 38},
	    allow_arg("socket"; "SCMP_CMP_LT"; 38; 0),
	    allow_arg("socket"; "SCMP_CMP_EQ"; 39; 0),
	    allow_arg("socket"; "SCMP_CMP_GT"; 40; 0)
	  ]
	}'
