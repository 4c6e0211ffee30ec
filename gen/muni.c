/* muni.c - static table of the generator's municipalities and their code
 * history (SSB classification 131 as it changed in 2018, 2020 and 2024), for
 * `kohort gen` in the `kohort` process. See muni.h. */
#include "gen/muni.h"

#include <stddef.h>

#define MAX_CODES 3

typedef struct {
    const char *name;
    int ncodes;
    struct {
        int from_year;     /* the code is valid from 1 January of this year */
        int code;
    } codes[MAX_CODES];
    double inhabitants;    /* thousands, drives the population share */
    double participants;   /* relative weight among participants */
    int cost_per_person;   /* NOK */
    int admin_permille;
} place_t;

/* Populations are rounded real figures; participant weights make Oslo large
 * and leave the smallest places with a handful of participants at national
 * scale, so that disclosure control has cells to suppress. Lillestrøm keeps
 * 3030 after 2024 as the brief states (the real list renumbers it 3205). */
static const place_t places[] = {
    {"Oslo", 1, {{0, 301}}, 700, 22.0, 262000, 150},
    {"Bergen", 2, {{0, 1201}, {2020, 4601}}, 286, 8.0, 248000, 120},
    {"Trondheim", 2, {{0, 1601}, {2018, 5001}}, 212, 7.0, 241000, 110},
    {"Stavanger", 1, {{0, 1103}}, 145, 4.5, 255000, 125},
    {"Bærum", 3, {{0, 219}, {2020, 3024}, {2024, 3201}}, 129, 3.0, 318000, 175},
    {"Kristiansand", 2, {{0, 1001}, {2020, 4204}}, 113, 4.0, 236000, 105},
    {"Drammen", 3, {{0, 602}, {2020, 3005}, {2024, 3301}}, 102, 4.0, 228000, 100},
    {"Asker", 3, {{0, 220}, {2020, 3025}, {2024, 3203}}, 96, 2.2, 290000, 160},
    {"Skedsmo", 2, {{0, 231}, {2020, 3030}}, 55, 1.6, 221000, 90},
    {"Fet", 2, {{0, 227}, {2020, 3030}}, 11, 0.25, 275000, 140},
    {"Sørum", 2, {{0, 226}, {2020, 3030}}, 18, 0.4, 262000, 130},
    {"Tromsø", 3, {{0, 1902}, {2020, 5401}, {2024, 5501}}, 77, 2.4, 259000, 120},
    {"Ålesund", 3, {{0, 1504}, {2020, 1507}, {2024, 1508}}, 48, 1.5, 247000, 115},
    {"Haram", 3, {{0, 1534}, {2020, 1507}, {2024, 1580}}, 9, 0.22, 301000, 150},
    {"Haugesund", 1, {{0, 1106}}, 37, 1.3, 233000, 110},
    {"Karmøy", 1, {{0, 1149}}, 42, 1.0, 244000, 120},
    {"Sola", 1, {{0, 1124}}, 27, 0.6, 270000, 130},
    {"Kristiansund", 1, {{0, 1505}}, 24, 0.7, 239000, 115},
    {"Bodø", 1, {{0, 1804}}, 52, 1.5, 246000, 110},
    {"Rana", 1, {{0, 1833}}, 26, 0.8, 252000, 125},
    {"Sortland", 1, {{0, 1870}}, 10, 0.3, 281000, 140},
    {"Ørsta", 1, {{0, 1520}}, 10, 0.3, 276000, 145},
    {"Rauma", 1, {{0, 1539}}, 7.5, 0.2, 288000, 150},
    {"Sauda", 1, {{0, 1135}}, 4.5, 0.15, 305000, 170},
    {"Fauske", 1, {{0, 1841}}, 9.7, 0.25, 284000, 150},
    {"Sunndal", 1, {{0, 1563}}, 7, 0.18, 297000, 160},
    {"Hattfjelldal", 1, {{0, 1826}}, 1.3, 0.05, 336000, 210},
    {"Utsira", 1, {{0, 1151}}, 0.2, 0.004, 402000, 260},
    {"Kvitsøy", 1, {{0, 1144}}, 0.5, 0.008, 377000, 240},
    {"Træna", 1, {{0, 1835}}, 0.45, 0.006, 391000, 250},
    {"Røst", 1, {{0, 1856}}, 0.5, 0.01, 365000, 230},
};

#define NPLACES ((int)(sizeof places / sizeof places[0]))

/* Every change above, once per (old, new) pair, deliberately not in date
 * order: the pipeline must chain changes whatever the order of their rows. */
static const kh_gen_muni_change_t changes[] = {
    {3024, 3201, 2024}, {219, 3024, 2020}, {1201, 4601, 2020}, {1601, 5001, 2018},
    {231, 3030, 2020}, {227, 3030, 2020}, {226, 3030, 2020}, {220, 3025, 2020},
    {3025, 3203, 2024}, {602, 3005, 2020}, {3005, 3301, 2024}, {1001, 4204, 2020},
    {5401, 5501, 2024}, {1902, 5401, 2020}, {1504, 1507, 2020}, {1534, 1507, 2020},
    {1507, 1508, 2024}, {1507, 1580, 2024},
};

int kh_gen_muni_count(void)
{
    return NPLACES;
}

const char *kh_gen_muni_name(int place)
{
    return places[place].name;
}

int kh_gen_muni_code(int place, int year)
{
    const place_t *p = &places[place];
    int code = p->codes[0].code;
    for (int i = 1; i < p->ncodes; i++)
        if (year >= p->codes[i].from_year)
            code = p->codes[i].code;
    return code;
}

int kh_gen_muni_first_of_code(int place, int year)
{
    int code = kh_gen_muni_code(place, year);
    for (int j = 0; j < place; j++)
        if (kh_gen_muni_code(j, year) == code)
            return 0;
    return 1;
}

/* Names a code had that differ from its first place's name: a merged
 * place's new name, and parallel Sami or Kven names (official from the
 * year given). */
static const struct {
    int code, from_year;
    const char *name;
} renamed[] = {
    {3030, 0, "Lillestrøm"},
    {5501, 0, "Tromsø - Romsa - Tromssa"},
    {1870, 0, "Sortland - Suortá"},
    {1841, 0, "Fauske - Fuossko"},
    {1826, 0, "Hattfjelldal - Aarborte"},
};

const char *kh_gen_muni_name_in(int place, int year)
{
    int code = kh_gen_muni_code(place, year);
    for (size_t i = 0; i < sizeof renamed / sizeof renamed[0]; i++)
        if (renamed[i].code == code && year >= renamed[i].from_year)
            return renamed[i].name;
    return places[place].name;
}

static double total_weight(int participant)
{
    double sum = 0;
    for (int i = 0; i < NPLACES; i++)
        sum += participant ? places[i].participants : places[i].inhabitants;
    return sum;
}

int kh_gen_muni_pick(double u, int participant)
{
    static double totals[2];
    if (totals[participant] == 0)
        totals[participant] = total_weight(participant);
    double target = u * totals[participant];
    for (int i = 0; i < NPLACES; i++) {
        target -= participant ? places[i].participants : places[i].inhabitants;
        if (target < 0)
            return i;
    }
    return 0;
}

double kh_gen_muni_participant_share(int place)
{
    return places[place].participants / total_weight(1);
}

int kh_gen_muni_cost_per_person(int place)
{
    return places[place].cost_per_person;
}

int kh_gen_muni_admin_permille(int place)
{
    return places[place].admin_permille;
}

int kh_gen_muni_changes(const kh_gen_muni_change_t **list)
{
    *list = changes;
    return (int)(sizeof changes / sizeof changes[0]);
}
