/* runview.h - the operator's views of a running import, fed by `kohort run`:
 * the status snapshot in the store directory (read by `kohort status` and
 * `kohort top`), the Prometheus endpoint (--metrics ADDR:PORT: /metrics and
 * /health), the progress bar (--progress) and, at the end, the metrics file
 * (--metrics-file PATH). Owns its listening socket and files. */
#ifndef KH_CLI_RUNVIEW_H
#define KH_CLI_RUNVIEW_H

#include <stddef.h>

#include "cli/runstate.h"

typedef struct kh_runview kh_runview_t;

typedef struct {
    const char *metrics_addr;   /* "ADDR:PORT" or NULL */
    const char *metrics_file;   /* path or NULL */
    int progress;               /* draw a progress bar when stderr is a terminal */
    int quiet;
} kh_runview_opts_t;

/* Opens the views for the run described by `s` (run id, store, started
 * already set). Binds the metrics endpoint when asked. Returns 0; a negative
 * code with one sentence in `why` when the endpoint cannot be bound.
 * Caller owns *out; close with kh_runview_close(). */
int kh_runview_open(const kh_runview_opts_t *opts, const kh_runstate_t *s, kh_runview_t **out,
                    char *why, size_t whycap);

/* Called by `kohort run` about every 200 ms and on every change: rewrites
 * the status snapshot (at most once a second), answers waiting HTTP
 * requests without blocking, redraws the progress bar. */
void kh_runview_tick(kh_runview_t *v, const kh_runstate_t *s);

/* The run is over (s->phase committed or failed): writes the metrics file,
 * removes the status snapshot, ends the progress line, closes the endpoint.
 * Sets *v to NULL; accepts NULL. */
void kh_runview_close(kh_runview_t **v, const kh_runstate_t *s);

#endif
