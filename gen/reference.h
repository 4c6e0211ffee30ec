/* reference.h - the reference tables of `kohort gen` (ref_kommuneendringer,
 * ref_monitor, ref_nasjonal, ref_kostnader, ref_kommunenavn), consistent
 * with the population model, each with a few bad rows of its own when bad
 * rows are on. */
#ifndef KH_GEN_REFERENCE_H
#define KH_GEN_REFERENCE_H

#include "gen/model.h"

/* Writes every reference table, in kh_table_t order. */
void kh_gen_reference_write(kh_gen_t *g);

#endif
