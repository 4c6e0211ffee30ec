/* fault.c - fault injection points for test builds. See fault.h. */
#define _POSIX_C_SOURCE 200809L
#include "proto/fault.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef KH_TEST_BUILD
static char self[64];
static char point[64];
static long target = 1, passes;
static int armed;

void kh_fault_init(const char *stage, int worker)
{
    const char *spec = getenv("KOHORT_FAULT");
    if (!spec)
        return;
    char who[64];
    snprintf(who, sizeof who, "%s.%d@", stage, worker);
    size_t n = strlen(who);
    if (strncmp(spec, who, n) != 0)
        return;
    snprintf(self, sizeof self, "%s", who);
    snprintf(point, sizeof point, "%s", spec + n);
    char *hash = strchr(point, '#');
    if (hash) {
        *hash = '\0';
        target = atol(hash + 1);
    }
    armed = 1;
}

int kh_fault_hit(const char *name)
{
    if (!armed || strcmp(name, point) != 0)
        return 0;
    return ++passes == target;
}

void kh_fault_point(const char *name)
{
    if (kh_fault_hit(name)) {
        fprintf(stderr, "kohort: fault injected: %s%s\n", self, name);
        kill(getpid(), SIGKILL);
    }
}
#else
void kh_fault_init(const char *stage, int worker)
{
    (void)stage;
    (void)worker;
}

void kh_fault_point(const char *name)
{
    (void)name;
}

int kh_fault_hit(const char *name)
{
    (void)name;
    return 0;
}
#endif
