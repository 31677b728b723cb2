/* SPDX-License-Identifier: Apache-2.0 */
/*
 * /proc/kallsyms parsed in one pass into three address-sorted tables for
 * the recorder's KernelSymbols: functions (t/T/w/W), the module each
 * module function lies in, and data objects in the kernel image or modules
 * (d/D/b/B, the static locks that lock contention names). Names stay where
 * they are in the file's bytes; a table holds their offsets.
 *
 * In C, not Java: ~120k lines are parsed at every recorder start, while the
 * JVM's one compiler thread is busy with start-up code; parsing and
 * sorting them interpreted took ~150 ms of CPU, here ~15 ms (the kernel's
 * own cost of writing the file, ~45 ms, remains).
 */
#ifndef KALLSYMS_H
#define KALLSYMS_H

#include <stddef.h>
#include <stdint.h>

enum kallsyms_table { KALLSYMS_FUNCTIONS, KALLSYMS_MODULES, KALLSYMS_DATA, KALLSYMS_TABLES };

struct kallsyms;

/* Reads and parses path; NULL on failure, with the reason in err. */
struct kallsyms *pshim_kallsyms_read(const char *path, char *err, int err_len);
void pshim_kallsyms_free(struct kallsyms *k);

/* The file's bytes (names are offsets into them) and their length. */
long pshim_kallsyms_text_length(const struct kallsyms *k);
void pshim_kallsyms_copy_text(const struct kallsyms *k, char *dst);

/* A table's entries, sorted by address (unsigned), one per address: where
 * symbols share an address, the first in the file. */
int pshim_kallsyms_count(const struct kallsyms *k, int table);
void pshim_kallsyms_copy(const struct kallsyms *k, int table, uint64_t *addrs, int32_t *names);

#endif /* KALLSYMS_H */
