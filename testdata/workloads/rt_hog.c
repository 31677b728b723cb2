/* A runqueue stall on purpose: a normal thread ("victim") spins on CPU 0;
 * the main thread ("hog") sleeps a little, then takes SCHED_FIFO priority
 * on CPU 0 and spins HOG_MS milliseconds, so the victim is runnable but
 * cannot run the whole time. Needs root (SCHED_FIFO). The real-time
 * throttle (sched_rt_runtime_us, 950 ms of each second by default) leaves
 * a hog of up to ~900 ms alone.
 *
 * usage: rt_hog HOG_MS
 * prints: "victim_tid T hog_tid H hog_ms N" */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

static volatile int done;
static volatile unsigned long sink;
static volatile pid_t victim_tid;

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static void pin_to_cpu0(void)
{
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(0, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

__attribute__((noinline)) static void victim_work(void)
{
	while (!done)
		sink++;
}

static void *victim(void *arg)
{
	(void)arg;
	prctl(PR_SET_NAME, "victim");
	pin_to_cpu0();
	victim_tid = gettid();
	victim_work();
	return NULL;
}

__attribute__((noinline)) static void hog_spin(double ms)
{
	double until = now_ms() + ms;
	while (now_ms() < until)
		sink++;
}

int main(int argc, char **argv)
{
	double hog_ms = argc > 1 ? atof(argv[1]) : 300;
	prctl(PR_SET_NAME, "hog");
	pin_to_cpu0();
	pthread_t t;
	pthread_create(&t, NULL, victim, NULL);
	usleep(200 * 1000); /* the victim runs, and is what CPU 0 is busy with */
	struct sched_param p = { .sched_priority = 50 };
	if (sched_setscheduler(0, SCHED_FIFO, &p) != 0) {
		perror("rt_hog: sched_setscheduler (needs root)");
		return 1;
	}
	hog_spin(hog_ms);
	p.sched_priority = 0;
	sched_setscheduler(0, SCHED_OTHER, &p);
	usleep(200 * 1000); /* the victim runs again */
	done = 1;
	pthread_join(t, NULL);
	printf("victim_tid %d hog_tid %d hog_ms %.0f\n", victim_tid, gettid(), hog_ms);
	return 0;
}
