/*
 * A mutex on the heap, contended by three threads in take_heap_lock (each
 * holds it 20 ms at a time), and a main thread that joins a worker that
 * sleeps 1 s: built without frame pointers (gcc -O2), the lock must still
 * be named by the function that takes it, and the join must not be a stall.
 *
 * usage: heap_mutex
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

struct shared {
	pthread_mutex_t mu;
	unsigned long counter;
};

__attribute__((noinline)) static void take_heap_lock(struct shared *s)
{
	pthread_mutex_lock(&s->mu);
	s->counter++;
	usleep(20 * 1000);
	pthread_mutex_unlock(&s->mu);
}

static void *contender(void *arg)
{
	for (int i = 0; i < 15; i++) {
		take_heap_lock(arg);
		usleep(100);
	}
	return NULL;
}

static void *sleeper(void *arg)
{
	(void)arg;
	sleep(1);
	return NULL;
}

int main(void)
{
	struct shared *s = malloc(sizeof(*s));
	pthread_mutex_init(&s->mu, NULL);
	s->counter = 0;
	pthread_t slow, t[3];
	pthread_create(&slow, NULL, sleeper, NULL);
	pthread_join(slow, NULL); /* a 1 s join: waiting, not a stall */
	for (int i = 0; i < 3; i++)
		pthread_create(&t[i], NULL, contender, s);
	for (int i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	printf("counter %lu\n", s->counter);
	return 0;
}
