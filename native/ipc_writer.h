/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Appends ZSTD-compressed record batches to a capture table's Arrow IPC
 * stream. Rows queued here, for tables whose every column is a fixed-width
 * integer, a bool or a seeded dictionary's indexes (samples, sched_switch,
 * sched_wakeup), or whole batches of Arrow buffers Java filled (stacks,
 * frames: ipc_writer_open_stream). For the first kind Java
 * writes the schema and the dictionaries, then hands the file over, and the
 * shim writes the batches as the rows come, so the recorder's JVM runs no
 * code per batch for those tables (bench/steady-cost: its per-second work,
 * interpreted and then compiled for minutes, was most of its steady CPU).
 *
 * The bytes are those Arrow Java's writer gives for the same rows (its
 * message layout, 8-byte alignment, buffer framing, level 3): the
 * recorder's NativeTableWriterTest reads them back with Arrow Java and
 * compares every value and every message's shape. Written by hand: no C
 * library on Debian writes Arrow IPC (nanoarrow and Arrow C++ are not
 * packaged), and the message is a fixed flatbuffer of a few fields.
 */
#ifndef IPC_WRITER_H
#define IPC_WRITER_H

#include <stddef.h>
#include <stdint.h>

struct ipc_writer;

/* Opens path (written so far by Java: schema, dictionaries) to append
 * batches of ncols columns: widths[c] bytes a value in the rows given
 * (8, 4 or 2: an integer, a dictionary index; 1: a bool, 0 false), and
 * nullable[c] nonzero where a value of -1 is null. batch_rows: a batch is
 * written when that many rows wait. Returns NULL and sets errno. */
struct ipc_writer *ipc_writer_open(const char *path, int ncols, const int *widths, const int *nullable,
				   uint32_t batch_rows);

/* Opens path (written so far by Java: schema, dictionaries) to append
 * record batches Java gives as Arrow buffers (ipc_writer_write_buffers),
 * for tables with lists and strings whose rows Java fills (stacks,
 * frames): the shim compresses and frames them, so the JVM runs no Arrow
 * serializer, flatbuffers or zstd once a second. Returns NULL and sets
 * *error (Java's binding cannot read errno) to an errno. */
struct ipc_writer *ipc_writer_open_stream(const char *path, int *error);

/* Appends prefix (whole IPC messages: dictionaries that grew, which the
 * batch may use) and one record batch of rows rows, with one write. nodes:
 * (length, null count) per field node, as Arrow's VectorUnloader lists
 * them (a column, then its children); buffers: (address, length) per
 * buffer in the same order, uncompressed. Returns 0 or a negative errno
 * (-EINVAL: not a stream writer, too many nodes or buffers). */
int ipc_writer_write_buffers(struct ipc_writer *w, const void *prefix, size_t prefix_len, uint32_t rows,
			     int nnodes, const int64_t *nodes, int nbuffers, const int64_t *buffers);

/* Queues n rows given as columns (columns[c]: n values of widths[c] bytes),
 * writing full batches on the way. Returns 0 or a negative errno (the
 * write's: a full disk). */
int ipc_writer_append(struct ipc_writer *w, uint32_t n, void *const *columns, uint64_t now_ns);

/* Writes the queued rows as one batch if the oldest waited max_age_ns
 * (0: whatever their age). Returns 0 or a negative errno. */
int ipc_writer_flush(struct ipc_writer *w, uint64_t max_age_ns, uint64_t now_ns);

/* ns until ipc_writer_flush(w, max_age_ns, ...) would write; INT64_MAX with no rows queued. */
int64_t ipc_writer_ns_until_due(const struct ipc_writer *w, uint64_t max_age_ns, uint64_t now_ns);

uint64_t ipc_writer_rows_written(const struct ipc_writer *w);

/* Writes the queued rows and the end-of-stream marker, and closes the
 * file; frees w either way. *rows_written (if not NULL): the rows in the
 * file. Returns 0 or a negative errno. */
int ipc_writer_close(struct ipc_writer *w, uint64_t *rows_written);

#endif /* IPC_WRITER_H */
