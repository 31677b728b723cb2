/* Worker threads take turns on one pthread mutex, each holding it for a
 * known time (sleeping inside), so the others wait in futex(). Each thread
 * measures its own wait for the lock; the total is printed at the end.
 *
 * usage: mutex_convoy THREADS ROUNDS HOLD_MS
 * prints: "waited_ns N rounds R" */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int rounds, hold_ms;
static long long waited_ns[64];

static long long now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

/* The call site the recorder should attribute the waits to. */
__attribute__((noinline)) void contended_section(int me)
{
	long long t0 = now_ns();
	pthread_mutex_lock(&lock);
	waited_ns[me] += now_ns() - t0;
	usleep(hold_ms * 1000);
	pthread_mutex_unlock(&lock);
}

__attribute__((noinline)) void *worker(void *arg)
{
	int me = (int)(long)arg;
	for (int i = 0; i < rounds; i++) {
		contended_section(me);
		usleep(100); /* let another thread in */
	}
	return NULL;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 3;
	rounds = argc > 2 ? atoi(argv[2]) : 20;
	hold_ms = argc > 3 ? atoi(argv[3]) : 10;
	if (n > 64)
		n = 64;
	pthread_t t[64];
	for (int i = 0; i < n; i++)
		pthread_create(&t[i], NULL, worker, (void *)(long)i);
	long long total = 0;
	for (int i = 0; i < n; i++) {
		pthread_join(t[i], NULL);
		total += waited_ns[i];
	}
	printf("waited_ns %lld rounds %d\n", total, n * rounds);
	return 0;
}
