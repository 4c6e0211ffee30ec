/* muni.h - the municipalities of `kohort gen`'s synthetic Norway.
 *
 * Used only by the generator in the `kohort` process. Owns a static table of
 * places (a place is a municipality as people live in it, whatever its code):
 * each place's code history (mergers, renumberings, one split), its share of
 * the population and of the programme's participants, and its spending level. */
#ifndef KH_GEN_MUNI_H
#define KH_GEN_MUNI_H

/* One code change as ref_kommuneendringer states it: `old_code` became
 * `new_code` on 1 January of `year`. */
typedef struct {
    int old_code;
    int new_code;
    int year;
} kh_gen_muni_change_t;

/* Number of places; places are numbered 0 .. count-1. */
int kh_gen_muni_count(void);

/* The place's name (UTF-8). Borrowed: static. */
const char *kh_gen_muni_name(int place);

/* The code valid for `place` on 1 January of `year`. */
int kh_gen_muni_code(int place, int year);

/* 1 when no place before `place` has its code of `year` (merged places
 * share one code, which the first of them stands for), else 0. */
int kh_gen_muni_first_of_code(int place, int year);

/* The name of the place's code of `year` as SSB's classification spells it
 * in that year: a merged municipality's name ("Lillestrøm" for 3030), Sami
 * and Kven parallel names included ("Tromsø - Romsa - Tromssa"). Borrowed:
 * static. */
const char *kh_gen_muni_name_in(int place, int year);

/* A place drawn from `u` in [0, 1): by population when participant is 0, by
 * the participants' distribution (refugees are settled unevenly) when 1. */
int kh_gen_muni_pick(double u, int participant);

/* The place's share (0..1) of all participants. */
double kh_gen_muni_participant_share(int place);

/* Spending per person in the target group, NOK, around which the place's
 * ref_kostnader figures vary, and the share of it that is administration
 * in per mille. */
int kh_gen_muni_cost_per_person(int place);
int kh_gen_muni_admin_permille(int place);

/* Every code change of the table (each (old, new) pair once), in a fixed
 * order. Returns the count. Borrowed: *changes is static. */
int kh_gen_muni_changes(const kh_gen_muni_change_t **changes);

#endif
