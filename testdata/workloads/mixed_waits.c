/* A process whose threads wait in every way a real service does, only one
 * of which is contention: convoy threads take turns on one mutex, each
 * holding it a known time (the contention); pool threads sit idle on a
 * condition variable nobody signals until the end (waiting for work); a
 * reader blocks on an empty pipe (waiting for input); a ticker sleeps in
 * nanosleep. At the end main wakes the pool and the reader and joins all.
 * Each convoy thread measures its own wait for the mutex.
 *
 * usage: mixed_waits CONVOY_THREADS ROUNDS HOLD_MS POOL_THREADS
 * prints: "waited_ns N rounds R" */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t convoy_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t work_ready = PTHREAD_COND_INITIALIZER;
static int stopping, rounds, hold_ms;
static int input[2];
static volatile int ticking = 1;
static long long waited_ns[64];

static long long now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

/* The call site the convoy's waits belong to. */
__attribute__((noinline)) void contended_section(int me)
{
	long long t0 = now_ns();
	pthread_mutex_lock(&convoy_lock);
	waited_ns[me] += now_ns() - t0;
	usleep(hold_ms * 1000);
	pthread_mutex_unlock(&convoy_lock);
}

__attribute__((noinline)) void *convoy_worker(void *arg)
{
	int me = (int)(long)arg;
	for (int i = 0; i < rounds; i++) {
		contended_section(me);
		usleep(100); /* let another thread in */
	}
	return NULL;
}

/* A thread pool with no work: waits on the condition variable until told to stop. */
__attribute__((noinline)) void *pool_worker(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&pool_lock);
	while (!stopping)
		pthread_cond_wait(&work_ready, &pool_lock);
	pthread_mutex_unlock(&pool_lock);
	return NULL;
}

/* Waits for input that comes only at the end. */
__attribute__((noinline)) void *pipe_reader(void *arg)
{
	(void)arg;
	char c;
	if (read(input[0], &c, 1) < 0)
		perror("read");
	return NULL;
}

__attribute__((noinline)) void *ticker(void *arg)
{
	(void)arg;
	while (ticking)
		usleep(20000);
	return NULL;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 3;
	rounds = argc > 2 ? atoi(argv[2]) : 8;
	hold_ms = argc > 3 ? atoi(argv[3]) : 100;
	int pool = argc > 4 ? atoi(argv[4]) : 4;
	if (n > 64)
		n = 64;
	if (pool > 64)
		pool = 64;
	if (pipe(input) != 0) {
		perror("pipe");
		return 1;
	}
	pthread_t convoy[64], pooled[64], reader, tick;
	for (int i = 0; i < pool; i++)
		pthread_create(&pooled[i], NULL, pool_worker, NULL);
	pthread_create(&reader, NULL, pipe_reader, NULL);
	pthread_create(&tick, NULL, ticker, NULL);
	for (int i = 0; i < n; i++)
		pthread_create(&convoy[i], NULL, convoy_worker, (void *)(long)i);
	long long total = 0;
	for (int i = 0; i < n; i++) {
		pthread_join(convoy[i], NULL);
		total += waited_ns[i];
	}
	pthread_mutex_lock(&pool_lock);
	stopping = 1;
	pthread_cond_broadcast(&work_ready);
	pthread_mutex_unlock(&pool_lock);
	if (write(input[1], "x", 1) != 1)
		perror("write");
	ticking = 0;
	for (int i = 0; i < pool; i++)
		pthread_join(pooled[i], NULL);
	pthread_join(reader, NULL);
	pthread_join(tick, NULL);
	printf("waited_ns %lld rounds %d\n", total, n * rounds);
	return 0;
}
