/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A set of fixed-width columns that grow together: the rows of one capture
 * table, built in C and copied into Arrow by Java in one piece per column.
 */
#ifndef COLUMNS_H
#define COLUMNS_H

#include <stddef.h>
#include <stdint.h>

#define COLUMNS_MAX 12

struct columns {
	int count;
	uint8_t width[COLUMNS_MAX]; /* bytes per value: 1, 4 or 8 */
	void *data[COLUMNS_MAX];
	uint32_t rows, cap;
};

/* widths: `count` values of 1, 4 or 8. */
void columns_init(struct columns *c, int count, const uint8_t *widths);
void columns_free(struct columns *c);

/* Makes room for one more row; returns its index, or -1 when out of memory. */
int64_t columns_add_row(struct columns *c);

static inline void columns_set8(struct columns *c, int col, uint32_t row, uint8_t v)
{
	((uint8_t *)c->data[col])[row] = v;
}

static inline void columns_set32(struct columns *c, int col, uint32_t row, uint32_t v)
{
	((uint32_t *)c->data[col])[row] = v;
}

static inline void columns_set64(struct columns *c, int col, uint32_t row, uint64_t v)
{
	((uint64_t *)c->data[col])[row] = v;
}

#endif /* COLUMNS_H */
