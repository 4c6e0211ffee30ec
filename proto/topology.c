/* topology.c - the stage and endpoint tables. See topology.h. */
#include "proto/topology.h"

#include <stdio.h>
#include <string.h>

static const struct {
    const char *name;
    int worker;
} stages[KH_STAGE_COUNT] = {
    [KH_STAGE_INGEST] = {"ingest", 0},
    [KH_STAGE_VALIDATE] = {"validate", 1},
    [KH_STAGE_ANONYMISE] = {"anonymise", 1},
    [KH_STAGE_LINK] = {"link", 0},
    [KH_STAGE_AGGREGATE] = {"aggregate", 0},
    [KH_STAGE_SINK] = {"sink", 0},
};

static const struct {
    const char *name;
    int per_worker;
} endpoints[KH_EP_COUNT] = {
    [KH_EP_STATS] = {"stats", 0},
    [KH_EP_INGEST_OUT] = {"ingest.out", 0},
    [KH_EP_INGEST_ACK] = {"ingest.ack", 0},
    [KH_EP_ANON] = {"anon", 1},
    [KH_EP_LINK] = {"link", 0},
    [KH_EP_AGG] = {"agg", 0},
    [KH_EP_SINK] = {"sink", 0},
};

const char *kh_topology_stage_name(kh_stagekind_t stage)
{
    return (int)stage >= 0 && stage < KH_STAGE_COUNT ? stages[stage].name : "?";
}

int kh_topology_stage(const char *name)
{
    for (int s = 0; name && s < KH_STAGE_COUNT; s++)
        if (strcmp(stages[s].name, name) == 0)
            return s;
    return -1;
}

int kh_topology_is_worker(kh_stagekind_t stage)
{
    return (int)stage >= 0 && stage < KH_STAGE_COUNT && stages[stage].worker;
}

const char *kh_topology_endpoint(kh_endpoint_t ep)
{
    return (int)ep >= 0 && ep < KH_EP_COUNT ? endpoints[ep].name : "?";
}

int kh_topology_per_worker(kh_endpoint_t ep)
{
    return (int)ep >= 0 && ep < KH_EP_COUNT && endpoints[ep].per_worker;
}

const char *kh_topology_worker_endpoint(kh_endpoint_t ep, int worker, char *buf, size_t cap)
{
    if (kh_topology_per_worker(ep))
        snprintf(buf, cap, "%s.%d", kh_topology_endpoint(ep), worker);
    else
        snprintf(buf, cap, "%s", kh_topology_endpoint(ep));
    return buf;
}
