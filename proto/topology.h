/* topology.h - the pipeline's wiring in one place: its stage programs and
 * the ipc endpoints that join them.
 *
 * `kohort run` starts the stages by these names (program kohort-NAME) and
 * removes the endpoints afterwards; each stage opens its sockets by these
 * endpoint names; the operator views order and judge stages by the enum.
 * Static data only; owns nothing. */
#ifndef KH_TOPOLOGY_H
#define KH_TOPOLOGY_H

#include <stddef.h>

/* The stage programs, in the order rows flow through them. */
typedef enum {
    KH_STAGE_INGEST = 0,
    KH_STAGE_VALIDATE,
    KH_STAGE_ANONYMISE,
    KH_STAGE_LINK,
    KH_STAGE_AGGREGATE,
    KH_STAGE_SINK,
    KH_STAGE_COUNT
} kh_stagekind_t;

/* The stage's name ("ingest"): its program is kohort-NAME and its stats
 * messages carry the name. Borrowed: static; "?" for a value out of range. */
const char *kh_topology_stage_name(kh_stagekind_t stage);

/* The stage called `name`, or -1 for none (NULL included). */
int kh_topology_stage(const char *name);

/* 1 when `stage` runs as N interchangeable workers that `kohort run`
 * replaces when one dies (validate, anonymise); the others are one process
 * each that ends by itself once its input is complete. */
int kh_topology_is_worker(kh_stagekind_t stage);

/* The ipc endpoints, each a socket file in the run's private directory.
 * Who binds and who connects: */
typedef enum {
    KH_EP_STATS = 0,  /* `kohort run` binds a PULL; every stage PUSHes stats */
    KH_EP_INGEST_OUT, /* ingest binds a PUSH; every validator connects a PULL */
    KH_EP_INGEST_ACK, /* ingest binds a PULL; link (acknowledgements) and
                         `kohort run` (resend requests) PUSH to it */
    KH_EP_ANON,       /* one per anonymiser ("anon.N"): it binds a PULL,
                         every validator connects its PUSH to all of them */
    KH_EP_LINK,       /* link binds a PULL; the anonymisers PUSH */
    KH_EP_AGG,        /* aggregate binds a PULL; link PUSHes */
    KH_EP_SINK,       /* sink binds a PULL; validators (rejects), link and
                         aggregate PUSH */
    KH_EP_COUNT
} kh_endpoint_t;

/* The socket file's name in the run directory ("sink"), the same for every
 * process. For KH_EP_ANON, an endpoint per worker, this is the stem only
 * ("anon"): use kh_topology_worker_endpoint(). Borrowed: static. */
const char *kh_topology_endpoint(kh_endpoint_t ep);

/* 1 when `ep` is one endpoint per worker (KH_EP_ANON). */
int kh_topology_per_worker(kh_endpoint_t ep);

/* Writes the name of worker `worker`'s endpoint `ep` ("anon.3"), or the
 * plain name for an endpoint that is not per worker, into buf (room for
 * cap bytes, NUL included). Returns buf. */
const char *kh_topology_worker_endpoint(kh_endpoint_t ep, int worker, char *buf, size_t cap);

#endif
