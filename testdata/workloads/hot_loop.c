/*
 * The demo and test workload: for SECONDS (argument 1, default 3) it spends
 * ~75% of its CPU in hot_function() and ~25% reading /dev/zero (kernel
 * time: read_iter_zero, clear_user...), on one thread.
 * Built with frame pointers, leaf functions included, so stacks reach main().
 */
#include <fcntl.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static volatile unsigned long sink;
static char buf[1 << 16];

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

__attribute__((noinline)) void hot_function(long n)
{
	for (long i = 0; i < n; i++)
		sink += i * i ^ (sink >> 3);
}

__attribute__((noinline)) void kernel_reads(int fd, int n)
{
	for (int i = 0; i < n; i++)
		if (read(fd, buf, sizeof(buf)) < 0)
			exit(3);
}

int main(int argc, char **argv)
{
	double seconds = argc > 1 ? atof(argv[1]) : 3;
	int fd = open("/dev/zero", O_RDONLY);
	if (fd < 0)
		return 2;
	double end = now() + seconds;
	while (now() < end) {
		hot_function(3000000);
		kernel_reads(fd, 40);
	}
	return 0;
}
