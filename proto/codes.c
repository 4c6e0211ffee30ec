/* codes.c - the sluttstatus code table. See codes.h. */
#include "proto/codes.h"

#include <stdio.h>

/* spec/extracts.md, "Sluttstatus codes": the one place that says what each
 * code counts as. */
static const struct {
    kh_slutt_t code;
    unsigned flags;
} slutt[KH_SLUTT_NCODES] = {
    {KH_SLUTT_WORK_FULL_TIME, KH_SLUTT_LISTED | KH_SLUTT_ATTAINED | KH_SLUTT_WORK},
    {KH_SLUTT_WORK_PART_TIME, KH_SLUTT_LISTED | KH_SLUTT_ATTAINED | KH_SLUTT_WORK},
    {KH_SLUTT_UPPER_SECONDARY, KH_SLUTT_LISTED | KH_SLUTT_ATTAINED | KH_SLUTT_EDUCATION},
    {KH_SLUTT_HIGHER_EDUCATION, KH_SLUTT_LISTED | KH_SLUTT_ATTAINED | KH_SLUTT_EDUCATION},
    {KH_SLUTT_LOWER_SECONDARY, KH_SLUTT_LISTED},
    {KH_SLUTT_WORK_AND_EDUCATION,
     KH_SLUTT_LISTED | KH_SLUTT_ATTAINED | KH_SLUTT_WORK | KH_SLUTT_EDUCATION},
    {KH_SLUTT_JOB_SEEKER, KH_SLUTT_LISTED},
    {KH_SLUTT_SOCIAL_ASSISTANCE, KH_SLUTT_LISTED},
    {KH_SLUTT_PARENTAL_LEAVE, KH_SLUTT_LISTED},
    {KH_SLUTT_MOVED, KH_SLUTT_LISTED},
    {KH_SLUTT_OTHER, KH_SLUTT_LISTED},
};

/* Eleven codes: a scan is as quick as a lookup, and the f_intro rows are
 * few next to the population tables. */
unsigned kh_slutt_flags(int64_t code)
{
    for (int i = 0; i < KH_SLUTT_NCODES; i++)
        if ((int64_t)slutt[i].code == code)
            return slutt[i].flags;
    return 0;
}

int kh_slutt_nth(unsigned with, unsigned without, int k)
{
    for (int i = 0; i < KH_SLUTT_NCODES; i++)
        if ((slutt[i].flags & with) == with && !(slutt[i].flags & without) && k-- == 0)
            return (int)slutt[i].code;
    return -1;
}

char *kh_slutt_list(unsigned flags, char *out, size_t cap)
{
    int n = 0;
    while (kh_slutt_nth(flags, 0, n) >= 0)
        n++;
    size_t len = 0;
    if (cap)
        out[0] = 0;
    for (int i = 0; i < n && len < cap; i++) {
        const char *sep = i == 0 ? "" : i == n - 1 ? " or " : ", ";
        int w = snprintf(out + len, cap - len, "%s%d", sep, kh_slutt_nth(flags, 0, i));
        if (w < 0)
            break;
        len += (size_t)w;
    }
    return out;
}
