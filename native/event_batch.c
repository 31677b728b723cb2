/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <linux/types.h>
#include "profiler.h"
#include "columns.h"
#include "stack_table.h"
#include "thread_table.h"
#include "name_table.h"
#include "event_batch.h"

struct event_batch {
	struct stack_table *stacks;
	struct thread_table *threads;
	struct name_table *names;
	struct columns tables[PROF_TABLE_COUNT];
	int committed;
	uint64_t undecodable;
	struct prof_proc *procs; /* lifecycle events: rare, handed over as they are */
	uint32_t nprocs, procs_cap;
};

/* Each batch table's column names and widths, from bpf/profiler.h. */
struct table_layout {
	const char *name;
	int count;
	const uint8_t *widths;
	const char *const *columns;
};

#define COLUMN_WIDTH(id, bytes, name) bytes,
#define COLUMN_NAME(id, bytes, name) name,
#define TABLE_LAYOUT(id, table, COLUMNS) \
	[id] = { table, sizeof((const uint8_t[]){ COLUMNS(COLUMN_WIDTH) }), (const uint8_t[]){ COLUMNS(COLUMN_WIDTH) }, \
		 (const char *const[]){ COLUMNS(COLUMN_NAME) } },
static const struct table_layout LAYOUTS[PROF_TABLE_COUNT] = { PROF_BATCH_TABLES(TABLE_LAYOUT) };
_Static_assert(PROF_COL_COUNT <= COLUMNS_MAX && PROF_SW_COUNT <= COLUMNS_MAX && PROF_WK_COUNT <= COLUMNS_MAX &&
		       PROF_LK_COUNT <= COLUMNS_MAX && PROF_FX_COUNT <= COLUMNS_MAX && PROF_IQ_COUNT <= COLUMNS_MAX,
	       "a batch table has more columns than struct columns holds");

static const char *const SOFTIRQ_NAMES[] = { PROF_SOFTIRQ_NAMES };

struct event_batch *eb_new(void)
{
	struct event_batch *b = calloc(1, sizeof(*b));
	if (!b)
		return NULL;
	b->stacks = stack_table_new();
	b->threads = thread_table_new();
	b->names = name_table_new();
	if (!b->stacks || !b->threads || !b->names) {
		eb_free(b);
		return NULL;
	}
	for (int t = 0; t < PROF_TABLE_COUNT; t++)
		columns_init(&b->tables[t], LAYOUTS[t].count, LAYOUTS[t].widths);
	return b;
}

void eb_free(struct event_batch *b)
{
	if (!b)
		return;
	stack_table_free(b->stacks);
	thread_table_free(b->threads);
	name_table_free(b->names);
	free(b->procs);
	for (int t = 0; t < PROF_TABLE_COUNT; t++)
		columns_free(&b->tables[t]);
	free(b);
}

void eb_reset(struct event_batch *b)
{
	for (int t = 0; t < PROF_TABLE_COUNT; t++)
		b->tables[t].rows = 0;
	stack_table_start_batch(b->stacks);
	thread_table_start_batch(b->threads);
	name_table_start_batch(b->names);
	b->nprocs = 0;
	b->committed = 0;
}

uint32_t eb_task_state_index(uint32_t prev_state, uint32_t exit_state, int preempt)
{
	/* include/linux/sched.h: TASK_REPORT covers the bits below; TASK_IDLE
	 * (UNINTERRUPTIBLE | NOLOAD) reports as I; a preempted task is R. */
	const uint32_t TASK_UNINTERRUPTIBLE = 0x2, TASK_NOLOAD = 0x400, TASK_REPORT = 0x7f,
		       TASK_RTLOCK_WAIT = 0x1000;
	if (preempt)
		return 0;
	if (prev_state == (TASK_UNINTERRUPTIBLE | TASK_NOLOAD))
		return 8;
	if (prev_state == TASK_RTLOCK_WAIT)
		return 2;
	uint32_t state = (prev_state | exit_state) & TASK_REPORT;
	uint32_t index = 0;
	while (state) { /* fls() */
		index++;
		state >>= 1;
	}
	return index;
}

static int add_sample(struct event_batch *b, const struct prof_sample *s, size_t size)
{
	if (size < sizeof(*s) || s->kstack_len > PROF_MAX_FRAMES || s->ustack_len > PROF_MAX_FRAMES ||
	    sizeof(*s) + 8ull * (s->kstack_len + s->ustack_len) > size)
		return -EINVAL;
	struct columns *c = &b->tables[PROF_TABLE_SAMPLES];
	int64_t id = stack_table_intern(b->stacks, s->pid, s->kstack_len, s->ustack_len, (const uint64_t *)s->ips, 0);
	if (id < 0 || thread_table_saw(b->threads, s->tid, s->pid, s->ts, s->comm))
		return -ENOMEM;
	int64_t r = columns_add_row(c);
	if (r < 0)
		return -ENOMEM;
	columns_set64(c, PROF_COL_TS, r, s->ts);
	columns_set32(c, PROF_COL_CPU, r, s->cpu);
	columns_set32(c, PROF_COL_PID, r, s->pid);
	columns_set32(c, PROF_COL_TID, r, s->tid);
	columns_set64(c, PROF_COL_STACK_ID, r, id);
	columns_set32(c, PROF_COL_UNWIND, r, (uint32_t)prof_unwind_outcome(s->flags));
	return 0;
}

/* Raw id of a stack a tracing program took (flagged so Java trims the
 * tracing frames), -1 for no stack, or -ENOMEM. */
static int64_t event_stack(struct event_batch *b, uint32_t pid, uint16_t kn, uint16_t un, const __u64 *ips)
{
	if (kn + un == 0)
		return -1;
	return stack_table_intern(b->stacks, pid, kn, un, (const uint64_t *)ips, PROF_STACK_F_EVENT);
}

static int add_switch(struct event_batch *b, const struct prof_switch *s, size_t size)
{
	if (size < sizeof(*s) || s->kstack_len > PROF_MAX_FRAMES || s->ustack_len > PROF_MAX_FRAMES ||
	    sizeof(*s) + 8ull * (s->kstack_len + s->ustack_len) > size)
		return -EINVAL;
	if (thread_table_saw(b->threads, s->prev_tid, s->prev_pid, s->ts, s->prev_comm) ||
	    thread_table_saw(b->threads, s->next_tid, s->next_pid, s->ts, s->next_comm))
		return -ENOMEM;
	int64_t stack = event_stack(b, s->prev_pid, s->kstack_len, s->ustack_len, s->ips);
	if (stack == -ENOMEM)
		return -ENOMEM;
	struct columns *c = &b->tables[PROF_TABLE_SWITCHES];
	int64_t r = columns_add_row(c);
	if (r < 0)
		return -ENOMEM;
	columns_set64(c, PROF_SW_TS, r, s->ts);
	columns_set32(c, PROF_SW_CPU, r, s->cpu);
	columns_set32(c, PROF_SW_PREV_TID, r, s->prev_tid);
	columns_set32(c, PROF_SW_PREV_STATE, r, eb_task_state_index(s->prev_state, s->prev_exit_state, s->preempt));
	columns_set32(c, PROF_SW_NEXT_TID, r, s->next_tid);
	columns_set64(c, PROF_SW_PREV_STACK, r, stack);
	bool in_syscall = s->prev_syscall >= 0 && s->prev_syscall < PROF_MAX_SYSCALL;
	columns_set32(c, PROF_SW_PREV_SYSCALL, r, in_syscall ? (uint32_t)s->prev_syscall : (uint32_t)-1);
	columns_set32(c, PROF_SW_PREV_FUTEX_OP, r,
		      in_syscall && s->prev_futex_op != PROF_NO_FUTEX_OP ? s->prev_futex_op : (uint32_t)-1);
	columns_set8(c, PROF_SW_PREV_IOWAIT, r, s->prev_iowait ? 1 : 0);
	return 0;
}

static int add_wakeup(struct event_batch *b, const struct prof_wakeup *w, size_t size)
{
	if (size < sizeof(*w) || w->wake_kind > PROF_WAKE_WAKEUP_NEW)
		return -EINVAL;
	struct columns *c = &b->tables[PROF_TABLE_WAKEUPS];
	int64_t r = columns_add_row(c);
	if (r < 0)
		return -ENOMEM;
	columns_set64(c, PROF_WK_TS, r, w->ts);
	columns_set32(c, PROF_WK_CPU, r, w->cpu);
	columns_set32(c, PROF_WK_TID, r, w->tid);
	columns_set32(c, PROF_WK_WAKER_TID, r, w->waker_tid);
	columns_set32(c, PROF_WK_TARGET_CPU, r, w->target_cpu);
	columns_set32(c, PROF_WK_KIND, r, w->wake_kind);
	columns_set32(c, PROF_WK_WAKER_CONTEXT, r,
		      w->waker_context >= PROF_WAKER_HARDIRQ && w->waker_context <= PROF_WAKER_LOCAL_TIMER
			      ? (uint32_t)w->waker_context : (uint32_t)-1);
	return 0;
}

static int add_lock(struct event_batch *b, const struct prof_lock *l, size_t size)
{
	if (size < sizeof(*l) || l->kstack_len > PROF_MAX_FRAMES || sizeof(*l) + 8ull * l->kstack_len > size)
		return -EINVAL;
	int64_t stack = event_stack(b, l->pid, l->kstack_len, 0, l->ips);
	if (stack == -ENOMEM)
		return -ENOMEM;
	struct columns *c = &b->tables[PROF_TABLE_LOCKS];
	int64_t r = columns_add_row(c);
	if (r < 0)
		return -ENOMEM;
	columns_set64(c, PROF_LK_TS_BEGIN, r, l->ts_begin);
	columns_set64(c, PROF_LK_TS_END, r, l->ts_end);
	columns_set32(c, PROF_LK_CPU, r, l->cpu);
	columns_set32(c, PROF_LK_TID, r, l->tid);
	columns_set64(c, PROF_LK_ADDR, r, l->lock_addr);
	columns_set32(c, PROF_LK_SYMBOL, r, (uint32_t)-1);
	columns_set32(c, PROF_LK_FLAGS, r, l->flags);
	columns_set64(c, PROF_LK_STACK, r, stack);
	return 0;
}

static int add_futex(struct event_batch *b, const struct prof_futex *f, size_t size)
{
	if (size < sizeof(*f) || f->ustack_len > PROF_MAX_FRAMES || sizeof(*f) + 8ull * f->ustack_len > size)
		return -EINVAL;
	int64_t stack = event_stack(b, f->pid, 0, f->ustack_len, f->ips);
	if (stack == -ENOMEM)
		return -ENOMEM;
	struct columns *c = &b->tables[PROF_TABLE_FUTEX];
	int64_t r = columns_add_row(c);
	if (r < 0)
		return -ENOMEM;
	columns_set64(c, PROF_FX_TS_BEGIN, r, f->ts_begin);
	columns_set64(c, PROF_FX_TS_END, r, f->ts_end);
	columns_set32(c, PROF_FX_PID, r, f->pid);
	columns_set32(c, PROF_FX_TID, r, f->tid);
	columns_set64(c, PROF_FX_UADDR, r, f->uaddr);
	columns_set32(c, PROF_FX_SYMBOL, r, (uint32_t)-1);
	columns_set32(c, PROF_FX_OP, r, f->op);
	columns_set64(c, PROF_FX_STACK, r, stack);
	return 0;
}

static int add_irq(struct event_batch *b, const struct prof_irq *q, size_t size)
{
	if (size < sizeof(*q) || q->irq_kind > PROF_IRQ_NMI)
		return -EINVAL;
	int32_t name = -1;
	if (q->irq_kind == PROF_IRQ_HARDIRQ)
		name = name_table_intern(b->names, q->name, sizeof(q->name));
	else if (q->irq_kind == PROF_IRQ_SOFTIRQ && q->number < sizeof(SOFTIRQ_NAMES) / sizeof(SOFTIRQ_NAMES[0]))
		name = name_table_intern(b->names, SOFTIRQ_NAMES[q->number], 16);
	if (name == -ENOMEM)
		return -ENOMEM;
	struct columns *c = &b->tables[PROF_TABLE_IRQ];
	int64_t r = columns_add_row(c);
	if (r < 0)
		return -ENOMEM;
	columns_set64(c, PROF_IQ_TS_BEGIN, r, q->ts_begin);
	columns_set64(c, PROF_IQ_TS_END, r, q->ts_end);
	columns_set32(c, PROF_IQ_CPU, r, q->cpu);
	columns_set32(c, PROF_IQ_KIND, r, q->irq_kind);
	columns_set32(c, PROF_IQ_NUMBER, r, q->number);
	columns_set32(c, PROF_IQ_HANDLER, r, (uint32_t)-1);
	columns_set32(c, PROF_IQ_TID, r, q->interrupted_tid);
	columns_set32(c, PROF_IQ_NAME_ID, r, (uint32_t)name);
	columns_set64(c, PROF_IQ_ADDR, r, q->handler);
	return 0;
}

static int add_proc(struct event_batch *b, const struct prof_proc *p, size_t size)
{
	if (size < sizeof(*p) || p->what > PROF_PROC_LIBS)
		return -EINVAL;
	if (b->nprocs == b->procs_cap) {
		uint32_t cap = b->procs_cap ? b->procs_cap * 2 : 64;
		struct prof_proc *n = realloc(b->procs, (size_t)cap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		b->procs = n;
		b->procs_cap = cap;
	}
	b->procs[b->nprocs++] = *p;
	if ((p->what == PROF_PROC_FORK || p->what == PROF_PROC_EXEC) && thread_table_saw(b->threads, p->tid, p->pid, p->ts, p->comm))
		return -ENOMEM;
	return 0;
}

int eb_add(struct event_batch *b, const void *rec, size_t size)
{
	int rc = -EINVAL;
	if (size >= 4) {
		switch (*(const uint32_t *)rec) {
		case PROF_REC_SAMPLE: rc = add_sample(b, rec, size); break;
		case PROF_REC_SWITCH: rc = add_switch(b, rec, size); break;
		case PROF_REC_WAKEUP: rc = add_wakeup(b, rec, size); break;
		case PROF_REC_LOCK: rc = add_lock(b, rec, size); break;
		case PROF_REC_FUTEX: rc = add_futex(b, rec, size); break;
		case PROF_REC_IRQ: rc = add_irq(b, rec, size); break;
		case PROF_REC_PROC: rc = add_proc(b, rec, size); break;
		}
	}
	if (rc == -EINVAL)
		b->undecodable++;
	return rc;
}

/* Raw ids -> stack ids in an optional stack column (-1 stays). */
static void remap_stacks(struct event_batch *b, int table, int column)
{
	struct columns *c = &b->tables[table];
	int64_t *v = c->data[column];
	for (uint32_t r = 0; r < c->rows; r++)
		if (v[r] >= 0)
			v[r] = stack_table_id(b->stacks, v[r]);
}

int eb_commit(struct event_batch *b, const int64_t *stack_ids, uint32_t n, int64_t weight)
{
	if (b->committed || stack_table_set_ids(b->stacks, stack_ids, n))
		return -EINVAL;
	b->committed = 1;
	struct columns *s = &b->tables[PROF_TABLE_SAMPLES];
	int64_t *stack = s->data[PROF_COL_STACK_ID], *w = s->data[PROF_COL_WEIGHT];
	for (uint32_t r = 0; r < s->rows; r++) {
		stack[r] = stack_table_id(b->stacks, stack[r]);
		w[r] = weight;
	}
	remap_stacks(b, PROF_TABLE_SWITCHES, PROF_SW_PREV_STACK);
	remap_stacks(b, PROF_TABLE_LOCKS, PROF_LK_STACK);
	remap_stacks(b, PROF_TABLE_FUTEX, PROF_FX_STACK);
	return 0;
}

uint32_t eb_rows(const struct event_batch *b, int table)
{
	return table >= 0 && table < PROF_TABLE_COUNT ? b->tables[table].rows : 0;
}

uint32_t eb_total_rows(const struct event_batch *b)
{
	uint32_t n = 0;
	for (int t = 0; t < PROF_TABLE_COUNT; t++)
		n += b->tables[t].rows;
	return n;
}

void *eb_column(struct event_batch *b, int table, int column)
{
	if (table < 0 || table >= PROF_TABLE_COUNT || column < 0 || column >= b->tables[table].count)
		return NULL;
	return b->tables[table].data[column];
}

uint32_t eb_new_stack_count(const struct event_batch *b) { return stack_table_new_count(b->stacks); }

const void *eb_new_stacks(const struct event_batch *b, size_t *bytes) { return stack_table_new_defs(b->stacks, bytes); }

uint32_t eb_new_name_count(const struct event_batch *b) { return name_table_new_count(b->names); }

const void *eb_new_names(const struct event_batch *b, size_t *bytes) { return name_table_new_defs(b->names, bytes); }

uint32_t eb_thread_count(const struct event_batch *b) { return thread_table_count(b->threads); }

const void *eb_threads(const struct event_batch *b) { return thread_table_list(b->threads); }

uint32_t eb_all_thread_count(const struct event_batch *b) { return thread_table_all_count(b->threads); }

const void *eb_all_threads(const struct event_batch *b) { return thread_table_all(b->threads); }

uint64_t eb_undecodable(const struct event_batch *b) { return b->undecodable; }

uint32_t eb_proc_count(const struct event_batch *b) { return b->nprocs; }

const void *eb_procs(const struct event_batch *b) { return b->procs; }

const char *eb_table_name(int table) { return table >= 0 && table < PROF_TABLE_COUNT ? LAYOUTS[table].name : NULL; }

int eb_column_count(int table) { return table >= 0 && table < PROF_TABLE_COUNT ? LAYOUTS[table].count : -1; }

const char *eb_column_name(int table, int column)
{
	return column >= 0 && column < eb_column_count(table) ? LAYOUTS[table].columns[column] : NULL;
}

int eb_column_width(int table, int column)
{
	return column >= 0 && column < eb_column_count(table) ? LAYOUTS[table].widths[column] : -1;
}
