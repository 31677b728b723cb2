/*
 * A library the test builds without frame pointers (gcc -O2 -shared) and
 * late_loader dlopens mid-recording: late_work -> late_outer -> late_inner.
 */
#define NOINLINE __attribute__((noinline))

static volatile unsigned long late_sink;

NOINLINE static unsigned long late_inner(unsigned long x)
{
	for (int i = 0; i < 5000; i++)
		x = x * 2862933555777941757ul + 3037000493ul;
	return x;
}

NOINLINE static unsigned long late_outer(unsigned long x) { unsigned long r = late_inner(x); late_sink += r; return r ^ 5; }

/* Works for about `ms` milliseconds of CPU. */
NOINLINE unsigned long late_work(unsigned long x, long iterations)
{
	for (long i = 0; i < iterations; i++)
		x = late_outer(x);
	return x;
}
