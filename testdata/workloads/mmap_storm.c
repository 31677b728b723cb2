/* Threads of one process map, touch and unmap memory in a loop: each mmap
 * and munmap takes the process's mmap_lock for writing, so the threads
 * contend on that kernel lock (an rwsem).
 *
 * usage: mmap_storm THREADS SECONDS */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>

static double seconds;

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static void *storm(void *arg)
{
	long rounds = 0;
	double end = now() + seconds;
	while (now() < end) {
		char *p = mmap(NULL, 1 << 16, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED) {
			perror("mmap");
			exit(1);
		}
		for (int i = 0; i < (1 << 16); i += 4096)
			p[i] = 1;
		munmap(p, 1 << 16);
		rounds++;
	}
	return (void *)rounds;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 4;
	seconds = argc > 2 ? atof(argv[2]) : 2;
	pthread_t t[64];
	if (n > 64)
		n = 64;
	for (int i = 0; i < n; i++)
		pthread_create(&t[i], NULL, storm, NULL);
	long total = 0;
	for (int i = 0; i < n; i++) {
		void *r;
		pthread_join(t[i], &r);
		total += (long)r;
	}
	printf("rounds %ld\n", total);
	return 0;
}
