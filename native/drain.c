/* SPDX-License-Identifier: Apache-2.0 */
/* The ring drain thread and its staging buffer (drain.h). */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <bpf/libbpf.h>
#include "drain.h"

/* Staged records: [u32 size][u32 unused][size bytes, padded to 8]... */
struct stage {
	char *data;
	size_t len, cap;
};

struct drain {
	struct ring_buffer *samples; /* the sample ring */
	struct ring_buffer *events;  /* every event ring */
	size_t limit;
	pthread_mutex_t mu; /* guards the rings' consumption, filling, error */
	pthread_cond_t taken_cv; /* filling was handed over (a thread at the limit waits for it) */
	struct stage filling, taken;
	int error; /* the thread's failure (a negative errno), reported by drain_take */
	int stopping;
	int ring_epfd, java_epfd;
	int readyfd; /* the thread staged records */
	int stopfd;
	pthread_t thread;
	int started;
};

static int stage_record(void *ctx, void *data, size_t size)
{
	struct stage *s = &((struct drain *)ctx)->filling;
	size_t need = s->len + 8 + ((size + 7) & ~(size_t)7);
	if (need > s->cap) {
		size_t cap = s->cap ? s->cap : 256 * 1024;
		while (cap < need)
			cap *= 2;
		char *p = realloc(s->data, cap);
		if (!p)
			return -ENOMEM;
		s->data = p;
		s->cap = cap;
	}
	uint32_t header[2] = { (uint32_t)size, 0 };
	memcpy(s->data + s->len, header, sizeof(header));
	memcpy(s->data + s->len + 8, data, size);
	s->len = need;
	return 0;
}

static int consume(struct ring_buffer *rb)
{
	if (!rb)
		return 0;
	int rc = ring_buffer__consume(rb);
	return rc < 0 && rc != -EINTR ? rc : 0;
}

/* Events, samples, events again, until nothing more comes or the stage is
 * at its limit (under mu). An exec always precedes the new image's samples,
 * so once the samples are drained, the second pass over the events catches
 * every exec they could come after. */
static int drain_rings(struct drain *d)
{
	for (;;) {
		size_t before = d->filling.len;
		int rc = consume(d->events);
		if (!rc)
			rc = consume(d->samples);
		if (!rc)
			rc = consume(d->events);
		if (rc || d->filling.len == before || d->filling.len >= d->limit)
			return rc;
	}
}

static void signal_fd(int fd)
{
	uint64_t one = 1;
	ssize_t n = write(fd, &one, sizeof(one));
	(void)n; /* EAGAIN: already signalled */
}

/* A drain that staged this much means the rings are busy: the thread then
 * drains again after BUSY_POLL_MS even if nobody wakes it (a wakeup can be
 * missed: bpf/wakeup.h), and goes back to waiting for wakeups alone once a
 * drain brings less. */
#define BUSY_BYTES (64 * 1024)
#define BUSY_POLL_MS 100

static void *drain_thread(void *arg)
{
	struct drain *d = arg;
	struct epoll_event evs[3];
	int timeout_ms = -1;
	for (;;) {
		int woken = epoll_wait(d->ring_epfd, evs, 3, timeout_ms);
		if (woken < 0 && errno != EINTR) {
			int rc = -errno;
			pthread_mutex_lock(&d->mu);
			d->error = rc;
			pthread_mutex_unlock(&d->mu);
			signal_fd(d->readyfd);
			return NULL;
		}
		pthread_mutex_lock(&d->mu);
		/* At the limit Java is far behind: leave the rest in the rings
		 * until it takes what is staged (epoll would report it again at
		 * once, so wait here, not there). */
		while (!d->stopping && !d->error && d->filling.len >= d->limit)
			pthread_cond_wait(&d->taken_cv, &d->mu);
		if (d->stopping) {
			pthread_mutex_unlock(&d->mu);
			return NULL;
		}
		size_t before = d->filling.len;
		int rc = drain_rings(d);
		if (rc)
			d->error = rc;
		size_t staged = d->filling.len - before;
		int big = d->filling.len >= d->limit / 8;
		pthread_mutex_unlock(&d->mu);
		timeout_ms = staged >= BUSY_BYTES ? BUSY_POLL_MS : -1;
		/* Java is told when the BPF side asked for it (a ring a quarter
		 * full, an exec), as before, or when much is staged; a drain on
		 * the timer alone does not wake it. */
		if ((woken > 0 && staged) || big || rc)
			signal_fd(d->readyfd);
		if (rc)
			return NULL;
	}
}

struct drain *drain_new(size_t stage_limit)
{
	struct drain *d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->limit = stage_limit;
	d->ring_epfd = d->java_epfd = d->readyfd = d->stopfd = -1;
	pthread_mutex_init(&d->mu, NULL);
	pthread_cond_init(&d->taken_cv, NULL);
	return d;
}

int drain_add_ring(struct drain *d, int map_fd, int is_sample_ring)
{
	struct ring_buffer **rb = is_sample_ring ? &d->samples : &d->events;
	if (!*rb) {
		*rb = ring_buffer__new(map_fd, stage_record, d, NULL);
		return *rb ? 0 : -errno;
	}
	return ring_buffer__add(*rb, map_fd, stage_record, d) ? -errno : 0;
}

static int watch(int epfd, int fd)
{
	struct epoll_event ev = { .events = EPOLLIN };
	return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) ? -errno : 0;
}

int drain_start(struct drain *d, int wakefd)
{
	d->ring_epfd = epoll_create1(EPOLL_CLOEXEC);
	d->java_epfd = epoll_create1(EPOLL_CLOEXEC);
	d->readyfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	d->stopfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (d->ring_epfd < 0 || d->java_epfd < 0 || d->readyfd < 0 || d->stopfd < 0)
		return -errno;
	/* each ring_buffer's epoll fd is itself pollable */
	int rc = d->samples ? watch(d->ring_epfd, ring_buffer__epoll_fd(d->samples)) : 0;
	if (!rc && d->events)
		rc = watch(d->ring_epfd, ring_buffer__epoll_fd(d->events));
	if (!rc)
		rc = watch(d->ring_epfd, d->stopfd);
	if (!rc)
		rc = watch(d->java_epfd, d->readyfd);
	if (!rc)
		rc = watch(d->java_epfd, wakefd);
	if (rc)
		return rc;
	rc = pthread_create(&d->thread, NULL, drain_thread, d);
	if (rc)
		return -rc;
	d->started = 1;
	return 0;
}

int drain_wait(struct drain *d, int timeout_ms)
{
	struct epoll_event evs[2];
	if (epoll_wait(d->java_epfd, evs, 2, timeout_ms) < 0 && errno != EINTR)
		return -errno;
	uint64_t n;
	ssize_t r = read(d->readyfd, &n, sizeof(n)); /* re-arm; EAGAIN when the thread staged nothing */
	(void)r;
	return 0;
}

int drain_take(struct drain *d, drain_record_fn fn, void *ctx)
{
	pthread_mutex_lock(&d->mu);
	int rc = d->error;
	if (!rc)
		rc = drain_rings(d);
	struct stage s = d->filling;
	d->filling = d->taken; /* empty: len 0, its buffer kept */
	d->taken = s;
	pthread_cond_signal(&d->taken_cv);
	pthread_mutex_unlock(&d->mu);
	if (rc)
		return rc;

	for (size_t off = 0; off < s.len;) {
		uint32_t size;
		memcpy(&size, s.data + off, sizeof(size));
		rc = fn(ctx, s.data + off + 8, size);
		if (rc)
			break;
		off += 8 + ((size + 7) & ~(size_t)7);
	}
	d->taken.len = 0;
	/* A burst grew it far past what is usual: give the memory back. */
	if (s.cap > 4 * 1024 * 1024 && s.len < s.cap / 8) {
		free(d->taken.data);
		d->taken.data = NULL;
		d->taken.cap = 0;
	}
	return rc;
}

void drain_free(struct drain *d)
{
	if (!d)
		return;
	if (d->started) {
		pthread_mutex_lock(&d->mu);
		d->stopping = 1;
		pthread_cond_signal(&d->taken_cv);
		pthread_mutex_unlock(&d->mu);
		signal_fd(d->stopfd);
		pthread_join(d->thread, NULL);
	}
	ring_buffer__free(d->samples);
	ring_buffer__free(d->events);
	int fds[] = { d->ring_epfd, d->java_epfd, d->readyfd, d->stopfd };
	for (int i = 0; i < 4; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	pthread_mutex_destroy(&d->mu);
	pthread_cond_destroy(&d->taken_cv);
	free(d->filling.data);
	free(d->taken.data);
	free(d);
}
