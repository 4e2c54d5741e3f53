/* SPDX-License-Identifier: Apache-2.0 */
/*
 * container: the framed sync protocol between cinch and stage1/init. Every
 * length read off the socket is checked (CVE-2021-43784): short packets,
 * header/packet mismatches, oversized and wrongly sized payloads, unknown
 * types, malformed ERROR payloads and fds on the wrong message are refused.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "sync.h"

static void put32(unsigned char *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

static void encode_decode_roundtrip(void **state)
{
	unsigned char buf[SYNC_PACKET_MAX];
	struct cinch_sync_msg msg;
	struct cinch_error err = {0};
	uint32_t pid = 4242;
	int n = cinch_sync_encode(SYNC_INIT_PID, &pid, 4, buf, sizeof(buf), &err);

	assert_int_equal(n, 12);
	assert_int_equal(cinch_sync_decode(buf, (size_t)n, &msg, &err), 0);
	assert_int_equal(msg.type, SYNC_INIT_PID);
	assert_int_equal(cinch_sync_u32(&msg), 4242);
}

static void decode_rejects_short_packet(void **state)
{
	unsigned char buf[4] = {1, 0, 0, 0};
	struct cinch_sync_msg msg;
	struct cinch_error err = {0};

	assert_int_equal(cinch_sync_decode(buf, sizeof(buf), &msg, &err), -EPROTO);
	assert_non_null(strstr(err.msg, "short packet"));
}

static void decode_rejects_length_mismatch(void **state)
{
	unsigned char buf[16] = {0};
	struct cinch_sync_msg msg;
	struct cinch_error err = {0};

	put32(buf, SYNC_INIT_PID);
	put32(buf + 4, 0xfffffff0u); /* claims a huge payload */
	assert_int_equal(cinch_sync_decode(buf, 12, &msg, &err), -EPROTO);
	assert_non_null(strstr(err.msg, "header says"));
	put32(buf + 4, 8); /* claims more than the packet holds */
	assert_int_equal(cinch_sync_decode(buf, 12, &msg, &err), -EPROTO);
}

static void decode_rejects_wrong_payload_size(void **state)
{
	unsigned char buf[16] = {0};
	struct cinch_sync_msg msg;
	struct cinch_error err = {0};

	put32(buf, SYNC_INIT_PID);
	put32(buf + 4, 2);
	assert_int_equal(cinch_sync_decode(buf, 10, &msg, &err), -EPROTO);
	assert_non_null(strstr(err.msg, "expected 4"));
	put32(buf, SYNC_EXEC_READY);
	put32(buf + 4, 4);
	assert_int_equal(cinch_sync_decode(buf, 12, &msg, &err), -EPROTO);
}

static void decode_rejects_unknown_type(void **state)
{
	unsigned char buf[8] = {0};
	struct cinch_sync_msg msg;
	struct cinch_error err = {0};

	put32(buf, 0);
	assert_int_equal(cinch_sync_decode(buf, 8, &msg, &err), -EPROTO);
	put32(buf, SYNC_TYPE_MAX);
	assert_int_equal(cinch_sync_decode(buf, 8, &msg, &err), -EPROTO);
	assert_non_null(strstr(err.msg, "unknown message type"));
}

static void decode_rejects_oversized_payload(void **state)
{
	static unsigned char buf[SYNC_PACKET_MAX + 16];
	struct cinch_sync_msg msg;
	struct cinch_error err = {0};

	put32(buf, SYNC_ERROR);
	put32(buf + 4, SYNC_PAYLOAD_MAX + 1);
	assert_int_equal(
	    cinch_sync_decode(buf, SYNC_HEADER_SIZE + SYNC_PAYLOAD_MAX + 1, &msg, &err), -EPROTO);
	assert_non_null(strstr(err.msg, "exceeds"));
}

static void error_payload_is_validated(void **state)
{
	unsigned char buf[32] = {0};
	struct cinch_sync_msg msg;
	struct cinch_error err = {0};

	put32(buf, SYNC_ERROR);
	put32(buf + 4, 8);
	put32(buf + 8, ENOENT);
	memcpy(buf + 12, "abcd", 4); /* not NUL-terminated */
	assert_int_equal(cinch_sync_decode(buf, 16, &msg, &err), -EPROTO);
	memcpy(buf + 12, "abc", 4);
	put32(buf + 8, 0); /* code 0 is not an error */
	assert_int_equal(cinch_sync_decode(buf, 16, &msg, &err), -EPROTO);
	put32(buf + 8, ENOENT);
	assert_int_equal(cinch_sync_decode(buf, 16, &msg, &err), 0);
	assert_int_equal(cinch_sync_error_from_msg(&msg, &err), -ENOENT);
	assert_string_equal(err.msg, "abc");
}

static void socket_roundtrip_and_error(void **state)
{
	int sp[2];
	struct cinch_sync_msg msg;
	struct cinch_error err = {0}, sent = {0};

	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp), 0);
	assert_int_equal(cinch_sync_send_u32(sp[0], SYNC_CHILD_READY, 7, &err), 0);
	assert_int_equal(cinch_sync_expect(sp[1], SYNC_CHILD_READY, &msg, &err), 0);
	assert_int_equal(cinch_sync_u32(&msg), 7);
	cinch_error_set(&sent, EACCES, "exec: \"/x\": permission denied");
	cinch_sync_send_error(sp[0], &sent);
	assert_int_equal(cinch_sync_expect(sp[1], SYNC_EXEC_READY, &msg, &err), -EACCES);
	assert_string_equal(err.msg, "exec: \"/x\": permission denied");
	/* An unexpected type is a protocol error. */
	assert_int_equal(cinch_sync_send(sp[0], SYNC_HOOKS, NULL, 0, -1, &err), 0);
	assert_int_equal(cinch_sync_expect(sp[1], SYNC_EXEC_READY, &msg, &err), -EPROTO);
	close(sp[0]);
	assert_int_equal(cinch_sync_recv(sp[1], &msg, &err), -EPIPE);
	close(sp[1]);
}

static void fd_only_on_console(void **state)
{
	int sp[2];
	struct cinch_sync_msg msg;
	struct cinch_error err = {0};
	int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);

	assert_true(devnull >= 0);
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp), 0);
	assert_int_equal(cinch_sync_send(sp[0], SYNC_CONSOLE, NULL, 0, devnull, &err), 0);
	assert_int_equal(cinch_sync_recv(sp[1], &msg, &err), 0);
	assert_true(msg.fd >= 0);
	assert_true(fcntl(msg.fd, F_GETFD) & FD_CLOEXEC);
	close(msg.fd);
	/* An fd riding on another message is refused, and closed. */
	assert_int_equal(cinch_sync_send(sp[0], SYNC_EXEC_READY, NULL, 0, devnull, &err), 0);
	assert_int_equal(cinch_sync_recv(sp[1], &msg, &err), -EPROTO);
	assert_int_equal(msg.fd, -1);
	/* CONSOLE without an fd is refused too. */
	assert_int_equal(cinch_sync_send(sp[0], SYNC_CONSOLE, NULL, 0, -1, &err), 0);
	assert_int_equal(cinch_sync_recv(sp[1], &msg, &err), -EPROTO);
	close(devnull);
	close(sp[0]);
	close(sp[1]);
}

static void seccomp_fd_carries_an_fd(void **state)
{
	int sp[2];
	struct cinch_sync_msg msg;
	struct cinch_error err = {0};
	int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);

	assert_true(devnull >= 0);
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp), 0);
	assert_int_equal(cinch_sync_send(sp[0], SYNC_SECCOMP_FD, NULL, 0, devnull, &err), 0);
	assert_int_equal(cinch_sync_recv(sp[1], &msg, &err), 0);
	assert_int_equal(msg.type, SYNC_SECCOMP_FD);
	assert_true(msg.fd >= 0);
	assert_true(fcntl(msg.fd, F_GETFD) & FD_CLOEXEC);
	close(msg.fd);
	assert_string_equal(cinch_sync_type_name(SYNC_SECCOMP_FD), "SECCOMP_FD");
	/* Without its fd it is refused. */
	assert_int_equal(cinch_sync_send(sp[0], SYNC_SECCOMP_FD, NULL, 0, -1, &err), 0);
	assert_int_equal(cinch_sync_recv(sp[1], &msg, &err), -EPROTO);
	close(devnull);
	close(sp[0]);
	close(sp[1]);
}

static void raw_garbage_packet_is_refused(void **state)
{
	int sp[2];
	struct cinch_sync_msg msg;
	struct cinch_error err = {0};
	unsigned char junk[12] = {0};

	put32(junk, SYNC_INIT_PID);
	put32(junk + 4, 100); /* lies about its length */
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp), 0);
	assert_int_equal(write(sp[0], junk, sizeof(junk)), (ssize_t)sizeof(junk));
	assert_int_equal(cinch_sync_recv(sp[1], &msg, &err), -EPROTO);
	close(sp[0]);
	close(sp[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(encode_decode_roundtrip),
	    cmocka_unit_test(decode_rejects_short_packet),
	    cmocka_unit_test(decode_rejects_length_mismatch),
	    cmocka_unit_test(decode_rejects_wrong_payload_size),
	    cmocka_unit_test(decode_rejects_unknown_type),
	    cmocka_unit_test(decode_rejects_oversized_payload),
	    cmocka_unit_test(error_payload_is_validated),
	    cmocka_unit_test(socket_roundtrip_and_error),
	    cmocka_unit_test(fd_only_on_console),
	    cmocka_unit_test(seccomp_fd_carries_an_fd),
	    cmocka_unit_test(raw_garbage_packet_is_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
