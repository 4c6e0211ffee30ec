/* muninames.c - municipality names by code for the `kohort` process's
 * outputs: the names stored by the runs (ref_kommunenavn), over a static
 * table. See muninames.h. The static table's codes follow SSB's
 * classification 131 through the reforms of 2018 (Trøndelag), 2020 and
 * 2024; a code used for several places over time does not occur there. */
#include "cli/muninames.h"

#include <stdio.h>
#include <stdlib.h>

#include "proto/util.h"

typedef struct {
    int code;
    const char *name;
} muni_t;

/* Sorted by code (the unit test checks it). Comments name the years a
 * code was valid when that is not "still in use". */
static const muni_t munis[] = {
    /* Østfold, until 2019 */
    {101, "Halden"}, {104, "Moss"}, {105, "Sarpsborg"}, {106, "Fredrikstad"},
    {124, "Askim"}, {125, "Eidsberg"},
    /* Akershus, until 2019 */
    {211, "Vestby"}, {213, "Ski"}, {214, "Ås"}, {215, "Frogn"}, {216, "Nesodden"},
    {217, "Oppegård"}, {219, "Bærum"}, {220, "Asker"}, {221, "Aurskog-Høland"},
    {226, "Sørum"}, {227, "Fet"}, {228, "Rælingen"}, {229, "Enebakk"},
    {230, "Lørenskog"}, {231, "Skedsmo"}, {233, "Nittedal"}, {234, "Gjerdrum"},
    {235, "Ullensaker"}, {236, "Nes"}, {237, "Eidsvoll"}, {238, "Nannestad"},
    {239, "Hurdal"},
    {301, "Oslo"},
    /* Hedmark and Oppland, until 2019 */
    {402, "Kongsvinger"}, {403, "Hamar"}, {412, "Ringsaker"}, {415, "Løten"},
    {417, "Stange"}, {427, "Elverum"}, {501, "Lillehammer"}, {502, "Gjøvik"},
    /* Buskerud, until 2019 */
    {602, "Drammen"}, {604, "Kongsberg"}, {605, "Ringerike"}, {623, "Modum"},
    {624, "Øvre Eiker"}, {625, "Nedre Eiker"}, {626, "Lier"},
    /* Vestfold and Telemark, until 2019 (0702 until 2017) */
    {701, "Horten"}, {702, "Holmestrand"}, {704, "Tønsberg"}, {710, "Sandefjord"},
    {712, "Larvik"}, {715, "Holmestrand"}, {805, "Porsgrunn"}, {806, "Skien"},
    {807, "Notodden"}, {814, "Bamble"}, {815, "Kragerø"},
    /* Agder, until 2019 */
    {904, "Grimstad"}, {906, "Arendal"}, {1001, "Kristiansand"}, {1002, "Mandal"},
    {1003, "Farsund"}, {1004, "Flekkefjord"},
    /* Rogaland (1102 until 2019, 1108 from 2020) */
    {1101, "Eigersund"}, {1102, "Sandnes"}, {1103, "Stavanger"}, {1106, "Haugesund"},
    {1108, "Sandnes"}, {1119, "Hå"}, {1120, "Klepp"}, {1121, "Time"}, {1124, "Sola"},
    {1127, "Randaberg"}, {1135, "Sauda"}, {1144, "Kvitsøy"}, {1149, "Karmøy"},
    {1151, "Utsira"},
    /* Hordaland and Sogn og Fjordane, until 2019 */
    {1201, "Bergen"}, {1221, "Stord"}, {1243, "Os"}, {1246, "Fjell"}, {1247, "Askøy"},
    {1401, "Flora"},
    /* Møre og Romsdal: 1502/1504/1534 until 2019, 1506/1507 from 2020
     * (1507 Ålesund with Haram until 2023), 1508/1580 from 2024 */
    {1502, "Molde"}, {1504, "Ålesund"}, {1505, "Kristiansund"}, {1506, "Molde"},
    {1507, "Ålesund"}, {1508, "Ålesund"}, {1515, "Herøy"}, {1516, "Ulstein"},
    {1520, "Ørsta"}, {1531, "Sula"}, {1532, "Giske"}, {1534, "Haram"},
    {1539, "Rauma"}, {1563, "Sunndal"}, {1577, "Volda"}, {1580, "Haram"},
    /* Trøndelag, until 2017 */
    {1601, "Trondheim"}, {1702, "Steinkjer"}, {1703, "Namsos"}, {1714, "Stjørdal"},
    {1719, "Levanger"}, {1721, "Verdal"},
    /* Nordland (1805 until 2019, 1806 from 2020) */
    {1804, "Bodø"}, {1805, "Narvik"}, {1806, "Narvik"}, {1813, "Brønnøy"},
    {1820, "Alstahaug"}, {1824, "Vefsn"}, {1826, "Hattfjelldal"}, {1833, "Rana"},
    {1835, "Træna"}, {1841, "Fauske"}, {1856, "Røst"}, {1860, "Vestvågøy"},
    {1865, "Vågan"}, {1870, "Sortland"},
    /* Troms and Finnmark, until 2019 */
    {1902, "Tromsø"}, {1903, "Harstad"}, {2003, "Vadsø"}, {2004, "Hammerfest"},
    {2012, "Alta"}, {2030, "Sør-Varanger"},
    /* Viken, 2020-2023 */
    {3001, "Halden"}, {3002, "Moss"}, {3003, "Sarpsborg"}, {3004, "Fredrikstad"},
    {3005, "Drammen"}, {3006, "Kongsberg"}, {3007, "Ringerike"}, {3011, "Hvaler"},
    {3012, "Aremark"}, {3013, "Marker"}, {3014, "Indre Østfold"}, {3015, "Skiptvet"},
    {3016, "Rakkestad"}, {3017, "Råde"}, {3018, "Våler"}, {3019, "Vestby"},
    {3020, "Nordre Follo"}, {3021, "Ås"}, {3022, "Frogn"}, {3023, "Nesodden"},
    {3024, "Bærum"}, {3025, "Asker"}, {3026, "Aurskog-Høland"}, {3027, "Rælingen"},
    {3028, "Enebakk"}, {3029, "Lørenskog"}, {3030, "Lillestrøm"}, {3031, "Nittedal"},
    {3032, "Gjerdrum"}, {3033, "Ullensaker"}, {3034, "Nes"}, {3035, "Eidsvoll"},
    {3036, "Nannestad"}, {3037, "Hurdal"}, {3038, "Hole"}, {3047, "Modum"},
    {3048, "Øvre Eiker"}, {3049, "Lier"}, {3053, "Jevnaker"}, {3054, "Lunner"},
    /* Østfold, Akershus and Buskerud, from 2024 */
    {3101, "Halden"}, {3103, "Moss"}, {3105, "Sarpsborg"}, {3107, "Fredrikstad"},
    {3110, "Hvaler"}, {3118, "Indre Østfold"},
    {3201, "Bærum"}, {3203, "Asker"}, {3205, "Lillestrøm"}, {3207, "Nordre Follo"},
    {3209, "Ullensaker"}, {3212, "Nesodden"}, {3214, "Frogn"}, {3216, "Vestby"},
    {3218, "Ås"}, {3220, "Enebakk"}, {3222, "Lørenskog"}, {3224, "Rælingen"},
    {3226, "Aurskog-Høland"}, {3228, "Nes"}, {3230, "Gjerdrum"}, {3232, "Nittedal"},
    {3234, "Lunner"}, {3236, "Jevnaker"}, {3238, "Nannestad"}, {3240, "Eidsvoll"},
    {3242, "Hurdal"},
    {3301, "Drammen"}, {3303, "Kongsberg"}, {3305, "Ringerike"}, {3310, "Hole"},
    {3312, "Lier"}, {3314, "Øvre Eiker"}, {3316, "Modum"},
    /* Innlandet, from 2020 */
    {3401, "Kongsvinger"}, {3403, "Hamar"}, {3405, "Lillehammer"}, {3407, "Gjøvik"},
    {3411, "Ringsaker"}, {3412, "Løten"}, {3413, "Stange"}, {3420, "Elverum"},
    /* Vestfold og Telemark, 2020-2023 */
    {3801, "Horten"}, {3802, "Holmestrand"}, {3803, "Tønsberg"}, {3804, "Sandefjord"},
    {3805, "Larvik"}, {3806, "Porsgrunn"}, {3807, "Skien"}, {3808, "Notodden"},
    {3811, "Færder"}, {3813, "Bamble"}, {3814, "Kragerø"},
    /* Vestfold and Telemark, from 2024 */
    {3901, "Horten"}, {3903, "Holmestrand"}, {3905, "Tønsberg"}, {3907, "Sandefjord"},
    {3909, "Larvik"}, {3911, "Færder"}, {4001, "Porsgrunn"}, {4003, "Skien"},
    {4005, "Notodden"}, {4012, "Bamble"}, {4014, "Kragerø"},
    /* Agder, from 2020 */
    {4201, "Risør"}, {4202, "Grimstad"}, {4203, "Arendal"}, {4204, "Kristiansand"},
    {4205, "Lindesnes"}, {4206, "Farsund"}, {4207, "Flekkefjord"},
    /* Vestland, from 2020 */
    {4601, "Bergen"}, {4602, "Kinn"}, {4613, "Bømlo"}, {4614, "Stord"},
    {4624, "Bjørnafjorden"}, {4626, "Øygarden"}, {4627, "Askøy"}, {4631, "Alver"},
    {4640, "Sogndal"},
    /* Trøndelag, from 2018 (5004/5005 until 2019) */
    {5001, "Trondheim"}, {5004, "Steinkjer"}, {5005, "Namsos"}, {5006, "Steinkjer"},
    {5007, "Namsos"}, {5028, "Melhus"}, {5031, "Malvik"}, {5035, "Stjørdal"},
    {5037, "Levanger"}, {5038, "Verdal"}, {5059, "Orkland"},
    /* Troms og Finnmark, 2020-2023 */
    {5401, "Tromsø"}, {5402, "Harstad"}, {5403, "Alta"}, {5404, "Vardø"},
    {5405, "Vadsø"}, {5406, "Hammerfest"}, {5444, "Sør-Varanger"},
    /* Troms and Finnmark, from 2024 */
    {5501, "Tromsø"}, {5503, "Harstad"}, {5601, "Alta"}, {5603, "Hammerfest"},
    {5605, "Sør-Varanger"}, {5607, "Vadsø"},
};

#define NMUNIS ((int)(sizeof munis / sizeof munis[0]))

/* ---- Names stored by the runs ---------------------------------------------- */

typedef struct {
    int code, year;
    char *name;            /* owned */
} stored_t;

static stored_t *stored;   /* by code, then newest year first, once loaded */
static size_t nstored, stored_cap;

static int add_stored(void *ctx, int code, const char *name)
{
    if (nstored == stored_cap) {
        stored_cap = stored_cap ? stored_cap * 2 : 512;
        stored = kh_xrealloc(stored, stored_cap * sizeof *stored);
    }
    stored[nstored++] = (stored_t){code, *(const int *)ctx, kh_xstrdup(name)};
    return 0;
}

static int cmp_stored(const void *a, const void *b)
{
    const stored_t *x = a, *y = b;
    if (x->code != y->code)
        return x->code < y->code ? -1 : 1;
    return (x->year < y->year) - (x->year > y->year);
}

int kh_muninames_load(kh_store_t *store, int ref_year)
{
    int rc = 0;
    /* every year: those `kohort query --ref-year` takes */
    int from = ref_year ? ref_year : 1900, to = ref_year ? ref_year : 2100;
    for (int year = from; rc == 0 && year <= to; year++)
        rc = kh_store_each_name(store, year, add_stored, &year);
    if (nstored > 1)
        qsort(stored, nstored, sizeof *stored, cmp_stored);
    return rc;
}

void kh_muninames_unload(void)
{
    for (size_t i = 0; i < nstored; i++)
        free(stored[i].name);
    free(stored);
    stored = NULL;
    nstored = stored_cap = 0;
}

/* The first loaded name of `code` (the newest year's), or NULL. */
static const stored_t *first_stored(int code)
{
    size_t lo = 0, hi = nstored;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (stored[mid].code < code)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < nstored && stored[lo].code == code ? &stored[lo] : NULL;
}

/* ---- Lookups ------------------------------------------------------------------ */

static const char *builtin_name(int code)
{
    int lo = 0, hi = NMUNIS - 1;
    while (lo <= hi) {
        int mid = lo + (hi - lo) / 2;
        if (munis[mid].code == code)
            return munis[mid].name;
        if (munis[mid].code < code)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return NULL;
}

const char *kh_muninames_name(int code)
{
    const stored_t *st = first_stored(code);
    return st ? st->name : builtin_name(code);
}

const char *kh_muninames_name_in(int code, int ref_year)
{
    for (const stored_t *st = first_stored(code); st && st < stored + nstored && st->code == code; st++)
        if (st->year == ref_year)
            return st->name;
    return builtin_name(code);
}

char *kh_muninames_label(int code, char *buf, size_t cap)
{
    const char *name = kh_muninames_name(code);
    if (code == 0)
        snprintf(buf, cap, "All municipalities");
    else if (name)
        snprintf(buf, cap, "%s (%04d)", name, code);
    else
        snprintf(buf, cap, "%04d", code);
    return buf;
}

int kh_muninames_count(void)
{
    return NMUNIS;
}

int kh_muninames_code(int i)
{
    return i >= 0 && i < NMUNIS ? munis[i].code : -1;
}
