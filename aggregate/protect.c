/* protect.c - step 7.3; see protect.h. (Placeholder until the outsider's
 * constraints land: does nothing.) */
#include "aggregate/protect.h"

#include <string.h>

int kh_protect_year(kh_year_tables_t *year, int k, kh_protect_stats_t *stats)
{
    (void)year;
    (void)k;
    if (stats)
        memset(stats, 0, sizeof *stats);
    return 0;
}
