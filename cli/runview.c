/* runview.c - placeholder views (see runview.h); replaced by the full
 * implementation of the operator's views. */
#include "cli/runview.h"

#include <stdlib.h>

#include "util.h"

struct kh_runview {
    int unused;
};

int kh_runview_open(const kh_runview_opts_t *opts, const kh_runstate_t *s, kh_runview_t **out,
                    char *why, size_t whycap)
{
    (void)opts;
    (void)s;
    (void)why;
    (void)whycap;
    *out = kh_xcalloc(1, sizeof **out);
    return 0;
}

void kh_runview_tick(kh_runview_t *v, const kh_runstate_t *s)
{
    (void)v;
    (void)s;
}

void kh_runview_close(kh_runview_t **v, const kh_runstate_t *s)
{
    (void)s;
    if (v) {
        free(*v);
        *v = NULL;
    }
}
