/* One thread ("holder") takes a mutex and keeps it HOLD_MS milliseconds
 * (sleeping inside); WAITERS threads ("waiter") try to take it meanwhile
 * and wait in futex(). Each thread measures its own wait.
 *
 * usage: mutex_hold WAITERS HOLD_MS
 * prints: "holder_tid H waited_ns N" */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_barrier_t taken;
static int hold_ms;
static long long waited_ns[64];
static volatile pid_t holder_tid;

static long long now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static void *holder(void *arg)
{
	(void)arg;
	prctl(PR_SET_NAME, "holder");
	holder_tid = gettid();
	pthread_mutex_lock(&lock);
	pthread_barrier_wait(&taken);
	usleep(hold_ms * 1000);
	pthread_mutex_unlock(&lock);
	return NULL;
}

/* The call site the waits should be attributed to. */
__attribute__((noinline)) void take_the_lock(int me)
{
	long long t0 = now_ns();
	pthread_mutex_lock(&lock);
	waited_ns[me] += now_ns() - t0;
	pthread_mutex_unlock(&lock);
}

static void *waiter(void *arg)
{
	prctl(PR_SET_NAME, "waiter");
	pthread_barrier_wait(&taken);
	take_the_lock((int)(long)arg);
	return NULL;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 2;
	hold_ms = argc > 2 ? atoi(argv[2]) : 200;
	if (n < 1 || n > 63)
		return 2;
	pthread_barrier_init(&taken, NULL, n + 1);
	pthread_t h, w[64];
	pthread_create(&h, NULL, holder, NULL);
	for (long i = 0; i < n; i++)
		pthread_create(&w[i], NULL, waiter, (void *)i);
	pthread_join(h, NULL);
	long long total = 0;
	for (int i = 0; i < n; i++) {
		pthread_join(w[i], NULL);
		total += waited_ns[i];
	}
	printf("holder_tid %d waited_ns %lld\n", holder_tid, total);
	return 0;
}
