/* outsider_impl.h - the state of aggregate/outsider, shared by its two
 * files: outsider.c (the constraints, components, accessors) and
 * outsider_lp.c (the linear programs). Private to them. */
#ifndef KH_OUTSIDER_IMPL_H
#define KH_OUTSIDER_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "aggregate/disclosure.h"
#include "aggregate/outsider.h"

#define EPS 1e-6
#define NONE UINT32_MAX

enum { OP_EQ, OP_LE };               /* sum(coef * x) = rhs, <= rhs */

typedef struct {
    size_t start;  /* first term */
    double rhs;
    int op;
} cons_t;

struct kh_outsider {
    kh_year_tables_t year;
    const kh_disclosure_spec_t *spec[KH_IND_COUNT];
    kh_lines_t *lines[KH_IND_COUNT];
    uint32_t *index[KH_IND_COUNT]; /* n * KH_IND_MAX_COLS: unknown or NONE */
    kh_cell_t *cells;
    size_t nunk;
    double *lb, *ub;
    cons_t *cons;                  /* constraints of two or more unknowns; */
    size_t ncons, capcons;         /* cons[ncons].start closes the last */
    uint32_t *tvar;
    double *tcoef;
    size_t nterms, capterms;
    double pending;                /* constant of the constraint being built */
    size_t *comp_of, ncomp;
    size_t *comp_unk, *comp_unk_start;   /* unknowns per component */
    size_t *comp_cons, *comp_cons_start; /* constraints per component */
    size_t *column;                /* per unknown: its column in its component's LP */
    void **problem;                /* per component: its glp_prob, once built */
    double *x0;                    /* a point satisfying every constraint */
    double *seen_lo, *seen_hi;     /* per unknown: its values in every solution so far */
    int have_point;
    kh_outsider_progress_fn progress;
    void *progress_ctx;
    size_t lps;
};

/* Frees the programs of outsider_lp.c. */
void kh_outsider_free_problems(kh_outsider_t *o);

#endif
