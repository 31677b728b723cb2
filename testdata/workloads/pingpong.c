/* Two processes pass one byte back and forth over two pipes N times: a
 * context-switch and wakeup storm with a known cast. The parent is named
 * "ping", the child "pong".
 *
 * usage: pingpong N [--gate]
 *   --gate: print "ready PARENT_PID CHILD_PID" and wait for a line on stdin
 *   before the first trip, so tracers can attach to known pids first.
 * At the end it prints "trips N seconds S". */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void must(int ok, const char *what)
{
	if (!ok) {
		perror(what);
		exit(1);
	}
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 100000;
	int gate = argc > 2 && strcmp(argv[2], "--gate") == 0;
	int to_child[2], to_parent[2];
	must(pipe(to_child) == 0 && pipe(to_parent) == 0, "pipe");
	char b = 0;

	pid_t child = fork();
	must(child >= 0, "fork");
	if (child == 0) {
		prctl(PR_SET_NAME, "pong");
		for (long i = 0; i < n; i++) {
			must(read(to_child[0], &b, 1) == 1, "child read");
			must(write(to_parent[1], &b, 1) == 1, "child write");
		}
		_exit(0);
	}
	prctl(PR_SET_NAME, "ping");
	if (gate) {
		printf("ready %d %d\n", getpid(), child);
		fflush(stdout);
		char line[16];
		if (!fgets(line, sizeof(line), stdin))
			return 1;
	}
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (long i = 0; i < n; i++) {
		must(write(to_child[1], &b, 1) == 1, "parent write");
		must(read(to_parent[0], &b, 1) == 1, "parent read");
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	waitpid(child, NULL, 0);
	printf("trips %ld seconds %.6f\n", n, (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	return 0;
}
