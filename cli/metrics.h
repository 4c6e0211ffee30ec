/* metrics.h - kohort in Prometheus text format (exposition format 0.0.4):
 * the live metrics of a run (stages' counters, progress, health), the
 * store's ledger (last run, last success, per-table counts), the metrics
 * file written at the end of a run for node_exporter's textfile collector,
 * the small HTTP/1.0 endpoint of `kohort run --metrics ADDR:PORT`, and
 * `kohort metrics`. Used by the `kohort` process only. */
#ifndef KH_CLI_METRICS_H
#define KH_CLI_METRICS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cli/runstate.h"

/* Writes the metrics of the run `s` at time `now_ms` (Unix ms). */
void kh_metrics_run(FILE *f, const kh_runstate_t *s, int64_t now_ms);

/* Writes the ledger of the store at `store` as metrics. Returns 0, or the
 * code of kh_store_open / kh_store_each_run (nothing written then). */
int kh_metrics_ledger(FILE *f, const char *store);

/* Writes the ledger's and the finished run's metrics to `path` atomically
 * (a temporary file beside it, then rename), mode 0644 less the umask.
 * Returns 0 or a negative code with one sentence in `why`. */
int kh_metrics_write_file(const char *path, const char *store, const kh_runstate_t *s,
                          char *why, size_t whycap);

/* The HTTP endpoint: GET /metrics (the run's metrics), GET /health (200
 * "ok", or 503 and the reason when a stage died or stalled or the run
 * failed). Never blocks. */
typedef struct kh_metrics_http kh_metrics_http_t;

/* Checks that addr is ADDR:PORT with a numeric port 1..65535 (names are
 * resolved only when binding). Returns 0, or KH_E_USAGE with one sentence
 * in `why`. */
int kh_metrics_addr_check(const char *addr, char *why, size_t whycap);

/* Listens on "ADDR:PORT" (ADDR a host name or address, "[::1]" for IPv6,
 * empty for every interface). Returns 0, or a negative code with one
 * sentence in `why`. Caller owns *out; close with kh_metrics_http_close(). */
int kh_metrics_http_open(const char *addr, kh_metrics_http_t **out, char *why, size_t whycap);

/* Accepts waiting connections and moves every open one on as far as it
 * goes without blocking: reads the request, answers from `s`. */
void kh_metrics_http_poll(kh_metrics_http_t *h, const kh_runstate_t *s);

/* Closes the listening socket and every connection. Sets *h to NULL;
 * accepts NULL. */
void kh_metrics_http_close(kh_metrics_http_t **h);

/* `kohort metrics --store DIR`. Returns the exit status. */
int kh_metrics_main(int argc, char **argv);

#endif
