/* fault.h - fault injection for the tests (SQLite's way): named points in
 * the stages where a test build can kill its own process or make a write
 * fail. In a build without KH_TEST_BUILD every point is a no-op and the
 * environment is never read.
 *
 * KOHORT_FAULT="STAGE.WORKER@POINT[#N]" (e.g. "link.0@batch#3",
 * "sink.0@commit", "validate.1@start") kills the process with SIGKILL at
 * the N-th time (default 1st) it passes POINT. */
#ifndef KH_FAULT_H
#define KH_FAULT_H

/* Names this process ("link.0") for matching; call once at start. */
void kh_fault_init(const char *stage, int worker);

/* Passes point `name`: dies there when the fault names it. */
void kh_fault_point(const char *name);

/* 1 when the fault names this process and point `name` (counting passes
 * like kh_fault_point) without killing: for faults that fail a call rather
 * than the process (KOHORT_FAULT="sink.0@enospc"). */
int kh_fault_hit(const char *name);

#endif
