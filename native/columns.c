/* SPDX-License-Identifier: Apache-2.0 */
#include <stdlib.h>
#include <string.h>
#include "columns.h"

void columns_init(struct columns *c, int count, const uint8_t *widths)
{
	memset(c, 0, sizeof(*c));
	c->count = count;
	memcpy(c->width, widths, count);
}

void columns_free(struct columns *c)
{
	for (int i = 0; i < c->count; i++)
		free(c->data[i]);
	memset(c->data, 0, sizeof(c->data));
	c->rows = c->cap = 0;
}

int64_t columns_add_row(struct columns *c)
{
	if (c->rows == c->cap) {
		uint32_t cap = c->cap ? c->cap * 2 : 4096;
		for (int i = 0; i < c->count; i++) {
			void *p = realloc(c->data[i], (size_t)cap * c->width[i]);
			if (!p)
				return -1;
			c->data[i] = p;
		}
		c->cap = cap;
	}
	return c->rows++;
}
