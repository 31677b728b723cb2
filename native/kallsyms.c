/* SPDX-License-Identifier: Apache-2.0 */
#include "kallsyms.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Data symbols lie in the kernel image or modules, above this address
 * (KernelSymbols.KERNEL_IMAGE_START); below it are per-CPU offsets. */
#define KERNEL_IMAGE_START 0xffffffff80000000ULL

struct entry {
	uint64_t addr;
	uint32_t name;  /* offset of the name in text */
	uint32_t order; /* line number: ties keep the file's order */
};

struct table {
	struct entry *e;
	uint32_t n, cap;
};

struct kallsyms {
	char *text;
	size_t len;
	struct table tables[KALLSYMS_TABLES];
};

static int table_add(struct table *t, uint64_t addr, size_t name, uint32_t order)
{
	if (t->n == t->cap) {
		uint32_t cap = t->cap ? t->cap * 2 : 4096;
		struct entry *e = realloc(t->e, cap * sizeof(*e));
		if (!e)
			return -ENOMEM;
		t->e = e;
		t->cap = cap;
	}
	t->e[t->n++] = (struct entry){ addr, (uint32_t)name, order };
	return 0;
}

static int by_addr_then_order(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* Sorted, and one entry per address (the first in the file). */
static void table_finish(struct table *t)
{
	uint32_t k = 0;
	qsort(t->e, t->n, sizeof(*t->e), by_addr_then_order);
	for (uint32_t i = 0; i < t->n; i++)
		if (k == 0 || t->e[k - 1].addr != t->e[i].addr)
			t->e[k++] = t->e[i];
	t->n = k;
}

/* The whole file: /proc files report size 0, so read until EOF. */
static char *read_all(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	size_t cap = 8 << 20, n = 0;
	char *buf = malloc(cap);
	while (buf) {
		if (n == cap) {
			char *bigger = realloc(buf, cap * 2);
			if (!bigger) {
				free(buf);
				buf = NULL;
				errno = ENOMEM;
				break;
			}
			buf = bigger;
			cap *= 2;
		}
		ssize_t r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;
			free(buf);
			buf = NULL;
			errno = e;
			break;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	*len = n;
	return buf;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* "ffffffff81000000 T _stext\n" or "ffffffffc0a01000 t foo\t[ext4]\n" */
static int parse(struct kallsyms *k)
{
	const char *t = k->text;
	size_t p = 0, n = k->len;
	uint32_t line = 0;
	while (p < n) {
		uint64_t addr = 0;
		size_t q = p;
		for (; q < n && t[q] != ' ' && t[q] != '\n'; q++) {
			int v = hexval(t[q]);
			addr = (addr << 4) | (uint64_t)(v < 0 ? 0 : v);
		}
		const char *nl = memchr(t + q, '\n', n - q);
		size_t eol = nl ? (size_t)(nl - t) : n;
		if (q + 3 < eol && t[q] == ' ' && t[q + 2] == ' ') {
			char type = t[q + 1];
			size_t name = q + 3;
			int err = 0;
			if ((type == 't' || type == 'T' || type == 'w' || type == 'W') && addr != 0) { /* 0: kptr_restrict */
				err = table_add(&k->tables[KALLSYMS_FUNCTIONS], addr, name, line);
				const char *tab = memchr(t + name, '\t', eol - name);
				if (!err && tab)
					err = table_add(&k->tables[KALLSYMS_MODULES], addr, (size_t)(tab - t) + 1, line);
			} else if ((type == 'd' || type == 'D' || type == 'b' || type == 'B') && addr >= KERNEL_IMAGE_START) {
				err = table_add(&k->tables[KALLSYMS_DATA], addr, name, line);
			}
			if (err)
				return err;
		}
		line++;
		p = eol + 1;
	}
	for (int i = 0; i < KALLSYMS_TABLES; i++)
		table_finish(&k->tables[i]);
	return 0;
}

struct kallsyms *pshim_kallsyms_read(const char *path, char *err, int err_len)
{
	struct kallsyms *k = calloc(1, sizeof(*k));
	if (!k) {
		snprintf(err, err_len, "%s", strerror(ENOMEM));
		return NULL;
	}
	k->text = read_all(path, &k->len);
	if (!k->text) {
		snprintf(err, err_len, "%s", strerror(errno));
		free(k);
		return NULL;
	}
	if (k->len > INT32_MAX) { /* names are offsets into a Java byte[] */
		snprintf(err, err_len, "too large (%zu bytes)", k->len);
		pshim_kallsyms_free(k);
		return NULL;
	}
	if (parse(k)) {
		snprintf(err, err_len, "%s", strerror(ENOMEM));
		pshim_kallsyms_free(k);
		return NULL;
	}
	return k;
}

void pshim_kallsyms_free(struct kallsyms *k)
{
	if (!k)
		return;
	for (int i = 0; i < KALLSYMS_TABLES; i++)
		free(k->tables[i].e);
	free(k->text);
	free(k);
}

long pshim_kallsyms_text_length(const struct kallsyms *k) { return (long)k->len; }

void pshim_kallsyms_copy_text(const struct kallsyms *k, char *dst) { memcpy(dst, k->text, k->len); }

int pshim_kallsyms_count(const struct kallsyms *k, int table)
{
	return table >= 0 && table < KALLSYMS_TABLES ? (int)k->tables[table].n : 0;
}

void pshim_kallsyms_copy(const struct kallsyms *k, int table, uint64_t *addrs, int32_t *names)
{
	if (table < 0 || table >= KALLSYMS_TABLES)
		return;
	const struct table *t = &k->tables[table];
	for (uint32_t i = 0; i < t->n; i++) {
		addrs[i] = t->e[i].addr;
		names[i] = (int32_t)t->e[i].name;
	}
}
