/* defaults.h - the operator-visible defaults that more than one process
 * applies: `kohort run` passes them on, and a stage started by hand falls
 * back on the same values. One home, so that help texts and stages agree. */
#ifndef KH_DEFAULTS_H
#define KH_DEFAULTS_H

/* Disclosure threshold k of spec/indicators.md 7 (--min-cell; 0 = off). */
#define KH_DEFAULT_MIN_CELL 5
/* The largest k that --min-cell accepts. */
#define KH_MAX_MIN_CELL 1000000

/* A default as text for a help line: KH_DEFAULT_STR(KH_DEFAULT_MIN_CELL). */
#define KH_DEFAULT_STR_(x) #x
#define KH_DEFAULT_STR(x) KH_DEFAULT_STR_(x)

#endif
