/* Spins in short_hot() for MS milliseconds of CPU, then exits: a process
 * that lives less than one of the recorder's 100 ms drains.
 *
 * usage: short_lived MS */
#include <stdlib.h>
#include <time.h>

static volatile unsigned long sink;

__attribute__((noinline)) void short_hot(double seconds)
{
	struct timespec t0, t;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
	do {
		for (int i = 0; i < 100000; i++)
			sink += i * i;
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	} while ((t.tv_sec - t0.tv_sec) + (t.tv_nsec - t0.tv_nsec) / 1e9 < seconds);
}

int main(int argc, char **argv)
{
	short_hot((argc > 1 ? atoi(argv[1]) : 30) / 1000.0);
	return 0;
}
