/*
 * wasi.c - a WASI preview1 command that exercises a small, fixed set of
 * wasi_snapshot_preview1 functions through wasi-libc:
 *
 *   args_get, args_sizes_get, environ_get, environ_sizes_get,
 *   clock_time_get, clock_res_get, random_get, fd_write, fd_read, fd_close,
 *   fd_seek, fd_fdstat_get, fd_prestat_get, fd_prestat_dir_name,
 *   poll_oneoff, proc_exit
 *
 * Its output on stdout and stderr is byte-for-byte the same for the same
 * arguments, environment, stdin and preopens: clock and random values are
 * never printed, only whether they look sane.
 *
 * An argument "exit=N" makes the program exit with status N (the last such
 * argument wins); otherwise it returns 0.
 *
 * Rebuild the committed wasi.wasm with `go generate ./examples/...`; the
 * exact compiler command is in examples/internal/guestbuild.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <wasi/api.h>

extern char **environ;

static uint64_t fnv1a64_update(uint64_t h, const unsigned char *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= 1099511628211ull;
	}
	return h;
}

static const char *errname(int e)
{
	switch (e) {
	case 0:
		return "OK";
	case EBADF:
		return "EBADF";
	case EINVAL:
		return "EINVAL";
	case ENOSYS:
		return "ENOSYS";
	case ENOTSUP:
		return "ENOTSUP";
	case ESPIPE:
		return "ESPIPE";
	case ENOTCAPABLE:
		return "ENOTCAPABLE";
	default:
		return "other";
	}
}

static int64_t ts_ns(const struct timespec *ts)
{
	return (int64_t)ts->tv_sec * 1000000000 + ts->tv_nsec;
}

static const char *yesno(int b)
{
	return b ? "yes" : "no";
}

static int all_zero(const unsigned char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (b[i] != 0)
			return 0;
	return 1;
}

int main(int argc, char **argv)
{
	int code = 0;

	printf("wasi guest: hello on stdout\n");
	fprintf(stderr, "wasi guest: hello on stderr\n");

	/* args_sizes_get, args_get */
	printf("argc %d\n", argc);
	for (int i = 0; i < argc; i++) {
		printf("argv[%d] %s\n", i, argv[i]);
		if (strncmp(argv[i], "exit=", 5) == 0)
			code = (int)strtol(argv[i] + 5, NULL, 10);
	}

	/* environ_sizes_get, environ_get */
	const char *names[] = {"GUESTKIT_GREETING", "GUESTKIT_UNSET"};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		const char *v = getenv(names[i]);
		if (v)
			printf("getenv %s=%s\n", names[i], v);
		else
			printf("getenv %s unset\n", names[i]);
	}
	int nenv = 0;
	for (char **e = environ; e && *e; e++, nenv++)
		printf("environ[%d] %s\n", nenv, *e);
	printf("environ count %d\n", nenv);

	/* fd_read until EOF */
	unsigned char buf[4096];
	uint64_t h = 14695981039346656037ull;
	size_t total = 0;
	int read_errno = 0;
	for (;;) {
		ssize_t n = read(0, buf, sizeof buf);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			read_errno = errno;
			break;
		}
		if (n == 0)
			break;
		h = fnv1a64_update(h, buf, (size_t)n);
		total += (size_t)n;
	}
	printf("stdin %zu bytes fnv1a64 %016" PRIx64 " err %s\n", total, h, errname(read_errno));

	/* clock_time_get */
	struct timespec rt, m0, m1, m2;
	int rt_ok = clock_gettime(CLOCK_REALTIME, &rt) == 0;
	printf("clock realtime ok %s sane %s\n", yesno(rt_ok),
	       yesno(rt_ok && rt.tv_sec >= 1000000000 && rt.tv_nsec >= 0 && rt.tv_nsec < 1000000000));
	int m_ok = clock_gettime(CLOCK_MONOTONIC, &m0) == 0 && clock_gettime(CLOCK_MONOTONIC, &m1) == 0;
	printf("clock monotonic ok %s nondecreasing %s\n", yesno(m_ok), yesno(m_ok && ts_ns(&m1) >= ts_ns(&m0)));

	/* clock_res_get */
	struct timespec res;
	int r_ok = clock_getres(CLOCK_REALTIME, &res) == 0;
	printf("clock_getres realtime ok %s sane %s\n", yesno(r_ok),
	       yesno(r_ok && ts_ns(&res) > 0 && ts_ns(&res) <= 1000000000));
	r_ok = clock_getres(CLOCK_MONOTONIC, &res) == 0;
	printf("clock_getres monotonic ok %s sane %s\n", yesno(r_ok),
	       yesno(r_ok && ts_ns(&res) > 0 && ts_ns(&res) <= 1000000000));

	/* poll_oneoff (clock subscription) */
	struct timespec d = {.tv_sec = 0, .tv_nsec = 2000000};
	int s_ok = nanosleep(&d, NULL) == 0;
	int m2_ok = clock_gettime(CLOCK_MONOTONIC, &m2) == 0;
	printf("nanosleep 2ms ok %s slept at least 2ms %s\n", yesno(s_ok),
	       yesno(s_ok && m_ok && m2_ok && ts_ns(&m2) - ts_ns(&m1) >= 2000000));

	/* random_get */
	unsigned char rnd[32];
	memset(rnd, 0, sizeof rnd);
	int g_ok = getentropy(rnd, sizeof rnd) == 0;
	printf("getentropy ok %s nonzero %s\n", yesno(g_ok), yesno(g_ok && !all_zero(rnd, sizeof rnd)));
	memset(rnd, 0, sizeof rnd);
	arc4random_buf(rnd, sizeof rnd);
	printf("arc4random_buf nonzero %s\n", yesno(!all_zero(rnd, sizeof rnd)));

	/*
	 * fd_fdstat_get, called directly: fcntl would also link
	 * fd_fdstat_set_flags, which is not on the list above.
	 */
	__wasi_fdstat_t st;
	__wasi_errno_t werr = __wasi_fd_fdstat_get(1, &st);
	printf("fd_fdstat_get(1) %s\n", errname(werr));
	werr = __wasi_fd_fdstat_get(99, &st);
	printf("fd_fdstat_get(99) %s\n", errname(werr));

	/*
	 * fd_seek, fd_close on a descriptor that is not open. Not SEEK_CUR with
	 * offset 0: wasi-libc's unistd.h turns that into fd_tell.
	 */
	errno = 0;
	off_t off = lseek(99, 0, SEEK_SET);
	printf("lseek(99) %s\n", off == -1 ? errname(errno) : "succeeded");
	errno = 0;
	int cerr = close(99);
	printf("close(99) %s\n", cerr == -1 ? errname(errno) : "succeeded");

	/* fd_prestat_get, fd_prestat_dir_name: list preopened directories */
	int npre = 0;
	for (__wasi_fd_t fd = 3;; fd++) {
		__wasi_prestat_t ps;
		werr = __wasi_fd_prestat_get(fd, &ps);
		if (werr != 0) {
			printf("fd_prestat_get(%" PRIu32 ") %s\n", fd, errname(werr));
			break;
		}
		npre++;
		if (ps.tag != __WASI_PREOPENTYPE_DIR) {
			printf("preopen fd %" PRIu32 " not a directory\n", fd);
			continue;
		}
		char name[256];
		size_t len = ps.u.dir.pr_name_len;
		if (len >= sizeof name) {
			printf("preopen fd %" PRIu32 " name too long (%zu)\n", fd, len);
			continue;
		}
		werr = __wasi_fd_prestat_dir_name(fd, (uint8_t *)name, len);
		name[len] = 0;
		printf("preopen fd %" PRIu32 " %s %s\n", fd, errname(werr), werr == 0 ? name : "");
	}
	printf("preopens %d\n", npre);

	/* proc_exit (via exit when code != 0) */
	printf("exit %d\n", code);
	fprintf(stderr, "wasi guest: exit %d\n", code);
	fflush(stdout);
	if (code != 0)
		exit(code);
	return 0;
}
