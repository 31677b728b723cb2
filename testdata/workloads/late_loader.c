/*
 * Loads a library after the recording started: sleeps 1 s, dlopens
 * argv[1], then calls its late_work for about argv[2] seconds.
 *
 * usage: late_loader LIBRARY SECONDS
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

__attribute__((noinline)) static unsigned long call_late(unsigned long (*work)(unsigned long, long), double seconds)
{
	double end = now() + seconds;
	unsigned long x = 1;
	while (now() < end)
		x = work(x, 200);
	return x;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: late_loader LIBRARY SECONDS\n");
		return 2;
	}
	sleep(1);
	void *lib = dlopen(argv[1], RTLD_NOW);
	if (!lib) {
		fprintf(stderr, "dlopen: %s\n", dlerror());
		return 1;
	}
	unsigned long (*work)(unsigned long, long) = (unsigned long (*)(unsigned long, long))dlsym(lib, "late_work");
	if (!work) {
		fprintf(stderr, "dlsym: %s\n", dlerror());
		return 1;
	}
	printf("%lu\n", call_late(work, atof(argv[2])));
	return 0;
}
