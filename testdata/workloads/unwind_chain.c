/*
 * Two call chains to unwind, for a build without frame pointers (plain
 * gcc -O2): main -> run -> a -> b -> leaf in the program's own code, and
 * main -> sorter -> qsort (libc) -> cmp, through a library Debian builds
 * without frame pointers. Each function does work of its own and is kept
 * out of line, so every frame is real.
 *
 * usage: unwind_chain SECONDS [ROUNDS]
 *   ROUNDS > 0: exactly that much work, however long it takes (benchmarks)
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define NOINLINE __attribute__((noinline))

static volatile unsigned long sink;

NOINLINE static unsigned long leaf(unsigned long x)
{
	for (int i = 0; i < 2000; i++)
		x = x * 6364136223846793005ul + 1442695040888963407ul;
	return x;
}

NOINLINE static unsigned long b(unsigned long x) { unsigned long r = leaf(x); sink += r; return r ^ x; }
NOINLINE static unsigned long a(unsigned long x) { unsigned long r = b(x + 1); sink += r; return r + 3; }
NOINLINE static unsigned long run(unsigned long x) { unsigned long r = a(x * 3); sink += r; return r; }

NOINLINE static int cmp(const void *p, const void *q)
{
	unsigned long x = *(const unsigned long *)p, y = *(const unsigned long *)q;
	for (int i = 0; i < 20; i++) /* a slow comparison: most of the sorter's time is in cmp */
		sink += x ^ (y >> i);
	return x < y ? -1 : x > y;
}

NOINLINE static void sorter(unsigned long seed)
{
	static unsigned long v[4096];
	for (int i = 0; i < 4096; i++)
		v[i] = seed = seed * 6364136223846793005ul + 1;
	qsort(v, 4096, sizeof(v[0]), cmp);
	sink += v[0];
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	double end = now() + (argc > 1 ? atof(argv[1]) : 5);
	long rounds = argc > 2 ? atol(argv[2]) : 0;
	unsigned long x = 1;
	for (long r = 0; rounds > 0 ? r < rounds : now() < end; r++) {
		for (int i = 0; i < 200; i++)
			x = run(x);
		sorter(x);
	}
	printf("%lu\n", sink);
	return 0;
}
