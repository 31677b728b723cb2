/* Fixed CPU work for the overhead benchmark: N iterations of a loop in a
 * three-deep call chain (so stacks have a few frames), built with frame
 * pointers. Fixed work, not fixed time: recording overhead shows as extra
 * CPU time to finish the same work. */
#include <stdlib.h>

static volatile unsigned long sink;

__attribute__((noinline)) void leaf_work(long n)
{
	for (long i = 0; i < n; i++)
		sink += i * i ^ (sink >> 3);
}

__attribute__((noinline)) void middle(long n) { leaf_work(n); sink++; }

__attribute__((noinline)) void outer(long n) { middle(n); sink++; }

int main(int argc, char **argv)
{
	long total = argc > 1 ? atol(argv[1]) : 1000000000L;
	for (long done = 0; done < total; done += 1000000)
		outer(1000000);
	return 0;
}
