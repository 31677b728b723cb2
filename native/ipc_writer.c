/* SPDX-License-Identifier: Apache-2.0 */
/* Record batches of an Arrow IPC stream, written by the shim (ipc_writer.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#define ZSTD_STATIC_LINKING_ONLY /* ZSTD_initStaticCCtx, ZSTD_estimateCCtxSize: in zstd since 1.3 */
#include <zstd.h>
#include "ipc_writer.h"

#define MAX_COLUMNS 32
#define MAX_NODES 64
#define MAX_BUFFERS 128
#define ZSTD_LEVEL 3 /* formats' ZstdContextCodec.LEVEL */
#define IPC_CONTINUATION 0xffffffffu
#define METADATA_V5 4
#define HEADER_RECORD_BATCH 3
#define CODEC_ZSTD 1

struct ipc_writer {
	int fd;
	int ncols;
	int widths[MAX_COLUMNS];
	int nullable[MAX_COLUMNS];
	uint32_t batch_rows;
	/* queued rows, column by column, as given */
	char *queued[MAX_COLUMNS];
	uint32_t nqueued;
	uint64_t first_queued_ns;
	uint64_t rows_written;
	/* a write failed (a full disk): the file may end in part of a batch, so
	 * nothing more is appended after it (a reader keeps the batches before) */
	int failed;
	/* one batch's buffers, uncompressed, then the message as written */
	uint8_t *scratch;
	size_t scratch_cap;
	uint8_t *out;
	size_t out_len, out_cap;
};

/*
 * One compression context per thread that writes (the recorder's loop
 * writes every table), in a workspace sized once for level 3 and any input
 * (1.3 MB) that zstd neither frees nor regrows: not one per writer (a
 * recording has ~14 tables), each sized and resized by zstd to its inputs.
 */
static __thread ZSTD_CCtx *thread_zstd;

static ZSTD_CCtx *zstd_context(void)
{
	if (thread_zstd)
		return thread_zstd;
	size_t size = ZSTD_estimateCCtxSize(ZSTD_LEVEL);
	void *workspace = malloc(size);
	if (!workspace)
		return NULL;
	ZSTD_CCtx *c = ZSTD_initStaticCCtx(workspace, size);
	if (!c || ZSTD_isError(ZSTD_CCtx_setParameter(c, ZSTD_c_compressionLevel, ZSTD_LEVEL))) {
		free(workspace);
		return NULL;
	}
	return thread_zstd = c;
}

static int reserve(uint8_t **p, size_t *cap, size_t need)
{
	if (need <= *cap)
		return 0;
	size_t n = *cap ? *cap : 64 * 1024;
	while (n < need)
		n *= 2;
	uint8_t *q = realloc(*p, n);
	if (!q)
		return -ENOMEM;
	*p = q;
	*cap = n;
	return 0;
}

static struct ipc_writer *writer_open(const char *path, int ncols, const int *widths, const int *nullable,
				      uint32_t batch_rows)
{
	struct ipc_writer *w = calloc(1, sizeof(*w));
	if (!w)
		return NULL;
	w->fd = -1;
	w->ncols = ncols;
	w->batch_rows = batch_rows;
	for (int c = 0; c < ncols; c++) {
		w->widths[c] = widths[c];
		w->nullable[c] = nullable[c] != 0;
		w->queued[c] = malloc((size_t)batch_rows * widths[c]);
		if (!w->queued[c])
			goto fail;
	}
	if (!zstd_context()) {
		errno = ENOMEM;
		goto fail;
	}
	w->fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (w->fd < 0)
		goto fail;
	return w;
fail:;
	int e = errno ? errno : ENOMEM;
	ipc_writer_close(w, NULL);
	errno = e;
	return NULL;
}

struct ipc_writer *ipc_writer_open(const char *path, int ncols, const int *widths, const int *nullable,
				   uint32_t batch_rows)
{
	if (ncols <= 0 || ncols > MAX_COLUMNS || batch_rows == 0) {
		errno = EINVAL;
		return NULL;
	}
	for (int c = 0; c < ncols; c++)
		if (widths[c] != 1 && widths[c] != 2 && widths[c] != 4 && widths[c] != 8) {
			errno = EINVAL;
			return NULL;
		}
	return writer_open(path, ncols, widths, nullable, batch_rows);
}

struct ipc_writer *ipc_writer_open_stream(const char *path, int *error)
{
	struct ipc_writer *w = writer_open(path, 0, NULL, NULL, 0);
	*error = w ? 0 : errno;
	return w;
}


static void put_u16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }
static void put_u32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void put_i64(uint8_t *p, int64_t v) { memcpy(p, &v, 8); }

static size_t align8(size_t n) { return (n + 7) & ~(size_t)7; }

/* The validity bits of rows [0, n) of column c (1: a value, 0: null); returns its null count. */
static uint32_t validity(const struct ipc_writer *w, int c, uint8_t *bits)
{
	uint32_t n = w->nqueued, nulls = 0;
	memset(bits, 0, (n + 7) / 8);
	const char *v = w->queued[c];
	for (uint32_t i = 0; i < n; i++) {
		int null = 0;
		if (w->nullable[c]) {
			switch (w->widths[c]) {
			case 8: { int64_t x; memcpy(&x, v + i * 8, 8); null = x == -1; break; }
			case 4: { int32_t x; memcpy(&x, v + i * 4, 4); null = x == -1; break; }
			case 2: { int16_t x; memcpy(&x, v + i * 2, 2); null = x == -1; break; }
			default: null = (int8_t)v[i] == -1;
			}
		}
		if (null)
			nulls++;
		else
			bits[i >> 3] |= (uint8_t)(1u << (i & 7));
	}
	return nulls;
}

/* A bool column's values as bits (a null's bit 0, as Arrow Java leaves it). */
static void bool_bits(const struct ipc_writer *w, int c, uint8_t *bits)
{
	uint32_t n = w->nqueued;
	memset(bits, 0, (n + 7) / 8);
	const int8_t *v = (const int8_t *)w->queued[c];
	for (uint32_t i = 0; i < n; i++)
		if (v[i] != 0 && !(w->nullable[c] && v[i] == -1))
			bits[i >> 3] |= (uint8_t)(1u << (i & 7));
}

/* Appends one buffer to the body at *body (8-aligned), framed as Arrow's
 * codecs frame it: the uncompressed length then the zstd frame, or -1 then
 * the raw bytes where compression does not pay. Returns its framed size or
 * a negative errno. */
static long body_buffer(struct ipc_writer *w, size_t at, const uint8_t *src, size_t n)
{
	size_t bound = ZSTD_compressBound(n);
	int rc = reserve(&w->out, &w->out_cap, at + 8 + (bound > n ? bound : n) + 8);
	if (rc)
		return rc;
	if (n == 0) { /* an empty buffer: its length 0 and no frame, as Arrow Java's codecs write it */
		put_i64(w->out + at, 0);
		return 8;
	}
	ZSTD_CCtx *zstd = zstd_context();
	if (!zstd)
		return -ENOMEM;
	size_t z = ZSTD_compress2(zstd, w->out + at + 8, bound, src, n);
	if (ZSTD_isError(z))
		return -EIO;
	if (z > n) {
		put_i64(w->out + at, -1);
		memcpy(w->out + at + 8, src, n);
		return (long)(8 + n);
	}
	put_i64(w->out + at, (int64_t)n);
	return (long)(8 + z);
}

/*
 * The batch's Message flatbuffer, laid out front to back (every offset
 * points forward, every field at its natural alignment):
 *   0  root offset -> Message
 *   4  Message vtable: version, header_type, header, bodyLength
 *  16  Message: header -> RecordBatch, bodyLength, version V5, header_type RecordBatch
 *  36  RecordBatch vtable: length, nodes, buffers, compression
 *  48  RecordBatch: nodes ->, length, buffers ->, compression ->
 *  72  BodyCompression vtable: codec
 *  80  BodyCompression: codec ZSTD (method BUFFER, the default, is left out as flatbuffers does)
 *  92  nodes: count, then (length, null count) per node from 96 (a column
 *      and, after it, its children's)
 *      buffers: count, then (offset, length) per buffer, 8-aligned
 * Returns the metadata's length, padded to 8.
 */
static size_t message(uint8_t *m, uint32_t rows, int nnodes, const int64_t *node_pairs, const long *offsets,
		      const long *lengths, int nbuffers, int64_t body_length)
{
	size_t nodes = 96, buffers = align8(nodes + 16 * (size_t)nnodes) + 8;
	size_t end = align8(buffers + 16 * (size_t)nbuffers);
	memset(m, 0, end);
	put_u32(m + 0, 16);
	/* Message vtable and table */
	put_u16(m + 4, 12); put_u16(m + 6, 20);
	put_u16(m + 8, 16); put_u16(m + 10, 18); put_u16(m + 12, 4); put_u16(m + 14, 8);
	put_u32(m + 16, 16 - 4);
	put_u32(m + 20, 48 - 20);
	put_i64(m + 24, body_length);
	put_u16(m + 32, METADATA_V5);
	m[34] = HEADER_RECORD_BATCH;
	/* RecordBatch vtable and table */
	put_u16(m + 36, 12); put_u16(m + 38, 24);
	put_u16(m + 40, 8); put_u16(m + 42, 4); put_u16(m + 44, 16); put_u16(m + 46, 20);
	put_u32(m + 48, 48 - 36);
	put_u32(m + 52, (uint32_t)(nodes - 4 - 52));
	put_i64(m + 56, rows);
	put_u32(m + 64, (uint32_t)(buffers - 4 - 64));
	put_u32(m + 68, 80 - 68);
	/* BodyCompression vtable and table */
	put_u16(m + 72, 6); put_u16(m + 74, 8); put_u16(m + 76, 4);
	put_u32(m + 80, 80 - 72);
	m[84] = CODEC_ZSTD;
	/* vectors of structs */
	put_u32(m + nodes - 4, (uint32_t)nnodes);
	for (int c = 0; c < nnodes; c++) {
		put_i64(m + nodes + 16 * c, node_pairs[2 * c]);
		put_i64(m + nodes + 16 * c + 8, node_pairs[2 * c + 1]);
	}
	put_u32(m + buffers - 4, (uint32_t)nbuffers);
	for (int b = 0; b < nbuffers; b++) {
		put_i64(m + buffers + 16 * b, offsets[b]);
		put_i64(m + buffers + 16 * b + 8, lengths[b]);
	}
	return end;
}

static int write_all(int fd, const uint8_t *p, size_t n)
{
	while (n > 0) {
		ssize_t k = write(fd, p, n);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

/* A record batch being put together in w->out: its body from body_at,
 * buffers framed and appended in order, the metadata in front at the end. */
struct batch {
	size_t body_at, at;
	int nbuffers;
	long offsets[MAX_BUFFERS], lengths[MAX_BUFFERS];
};

/* The longest metadata message() writes for these counts, padded. */
static size_t meta_max(int nnodes, int nbuffers)
{
	return align8(96 + 16 * (size_t)nnodes) + 8 + 16 * (size_t)nbuffers + 8;
}

static int add_buffer(struct ipc_writer *w, struct batch *b, const uint8_t *src, size_t len)
{
	if (b->nbuffers == MAX_BUFFERS)
		return -EINVAL;
	long framed = body_buffer(w, b->body_at + b->at, src, len);
	if (framed < 0)
		return (int)framed;
	b->offsets[b->nbuffers] = (long)b->at;
	b->lengths[b->nbuffers++] = framed;
	size_t next = align8(b->at + (size_t)framed);
	memset(w->out + b->body_at + b->at + framed, 0, next - b->at - (size_t)framed);
	b->at = next;
	return 0;
}

/* Puts the batch's metadata, and prefix before it, in front of its body
 * and writes the lot with one write: a recorder killed at any moment
 * leaves whole batches only (a reader drops a cut one). nodes: (length,
 * null count) per node. */
static int write_message(struct ipc_writer *w, struct batch *b, const uint8_t *prefix, size_t prefix_len,
			 uint32_t rows, int nnodes, const int64_t *nodes)
{
	uint8_t meta[8 + 96 + 16 * MAX_NODES + 8 + 16 * MAX_BUFFERS + 8];
	size_t meta_len = message(meta + 8, rows, nnodes, nodes, b->offsets, b->lengths, b->nbuffers, (int64_t)b->at);
	put_u32(meta, IPC_CONTINUATION);
	put_u32(meta + 4, (uint32_t)meta_len);
	size_t start = b->body_at - 8 - meta_len - prefix_len;
	memcpy(w->out + start + prefix_len, meta, 8 + meta_len);
	if (prefix_len)
		memcpy(w->out + start, prefix, prefix_len);
	int rc = write_all(w->fd, w->out + start, prefix_len + 8 + meta_len + b->at);
	if (rc) {
		w->failed = 1;
		return rc;
	}
	w->rows_written += rows;
	return 0;
}

/* Writes the queued rows as one record batch. */
static int write_batch(struct ipc_writer *w)
{
	uint32_t n = w->nqueued;
	if (w->failed)
		return -EIO;
	if (n == 0)
		return 0;
	struct batch b = { .body_at = 8 + meta_max(w->ncols, 2 * w->ncols) };
	int64_t nodes[2 * MAX_COLUMNS];
	size_t bits = (n + 7) / 8;
	int rc = reserve(&w->scratch, &w->scratch_cap, bits);
	if (rc)
		return rc;
	for (int c = 0; c < w->ncols && !rc; c++) {
		nodes[2 * c] = n;
		nodes[2 * c + 1] = validity(w, c, w->scratch);
		rc = add_buffer(w, &b, w->scratch, bits);
		if (rc)
			break;
		if (w->widths[c] == 1) {
			bool_bits(w, c, w->scratch);
			rc = add_buffer(w, &b, w->scratch, bits);
		} else {
			rc = add_buffer(w, &b, (const uint8_t *)w->queued[c], (size_t)n * w->widths[c]);
		}
	}
	if (!rc)
		rc = write_message(w, &b, NULL, 0, n, w->ncols, nodes);
	if (!rc)
		w->nqueued = 0;
	return rc;
}

int ipc_writer_write_buffers(struct ipc_writer *w, const void *prefix, size_t prefix_len, uint32_t rows,
			     int nnodes, const int64_t *nodes, int nbuffers, const int64_t *buffers)
{
	if (w->failed)
		return -EIO;
	if (w->ncols != 0 || nnodes < 1 || nnodes > MAX_NODES || nbuffers < 0 || nbuffers > MAX_BUFFERS)
		return -EINVAL;
	struct batch b = { .body_at = prefix_len + 8 + meta_max(nnodes, nbuffers) };
	int rc = reserve(&w->out, &w->out_cap, b.body_at);
	for (int i = 0; i < nbuffers && !rc; i++)
		rc = add_buffer(w, &b, (const uint8_t *)(uintptr_t)buffers[2 * i], (size_t)buffers[2 * i + 1]);
	if (!rc)
		rc = write_message(w, &b, prefix, prefix_len, rows, nnodes, nodes);
	return rc;
}

int ipc_writer_append(struct ipc_writer *w, uint32_t n, void *const *columns, uint64_t now_ns)
{
	uint32_t done = 0;
	while (done < n) {
		uint32_t k = n - done;
		if (k > w->batch_rows - w->nqueued)
			k = w->batch_rows - w->nqueued;
		if (w->nqueued == 0)
			w->first_queued_ns = now_ns;
		for (int c = 0; c < w->ncols; c++)
			memcpy(w->queued[c] + (size_t)w->nqueued * w->widths[c],
			       (const char *)columns[c] + (size_t)done * w->widths[c], (size_t)k * w->widths[c]);
		w->nqueued += k;
		done += k;
		if (w->nqueued == w->batch_rows) {
			int rc = write_batch(w);
			if (rc)
				return rc;
		}
	}
	return 0;
}

int ipc_writer_flush(struct ipc_writer *w, uint64_t max_age_ns, uint64_t now_ns)
{
	if (w->nqueued == 0 || now_ns - w->first_queued_ns < max_age_ns)
		return 0;
	return write_batch(w);
}

int64_t ipc_writer_ns_until_due(const struct ipc_writer *w, uint64_t max_age_ns, uint64_t now_ns)
{
	if (w->nqueued == 0)
		return INT64_MAX;
	uint64_t due = w->first_queued_ns + max_age_ns;
	return due > now_ns ? (int64_t)(due - now_ns) : 0;
}

uint64_t ipc_writer_rows_written(const struct ipc_writer *w) { return w->rows_written; }

int ipc_writer_close(struct ipc_writer *w, uint64_t *rows_written)
{
	if (!w)
		return 0;
	int rc = 0;
	if (w->fd >= 0 && !w->failed) {
		rc = write_batch(w);
		if (!rc) {
			uint8_t eos[8];
			put_u32(eos, IPC_CONTINUATION);
			put_u32(eos + 4, 0);
			rc = write_all(w->fd, eos, sizeof(eos));
		}
	}
	if (w->fd >= 0 && close(w->fd) && !rc)
		rc = -errno;
	if (rows_written)
		*rows_written = w->rows_written;
	for (int c = 0; c < w->ncols; c++)
		free(w->queued[c]);
	free(w->scratch);
	free(w->out);
	free(w);
	return rc;
}
