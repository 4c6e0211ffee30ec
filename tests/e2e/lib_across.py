"""lib_across.py KOHORT STORE: cells suppressed in one stored reference year
and shown in another (spec/indicators.md 7.4), found from the store's
published tables alone (`kohort query --format table`, where a suppressed
cell prints `:` and a merely unavailable one prints empty).

Prints one summary line: exposed cells (table, key without ref_year,
column), those among the bases and counts, and the first few; exits 1 when
there is any. Used by test_across_years.sh and for measuring a store
written before step 7.4 existed."""
import subprocess
import sys

BASES_COUNTS = {
    "exit": {"exits", "attained", "to_work", "to_education", "parental_leave", "extended"},
    "status": {"persons", "work", "education", "work_or_education", "sa_recipients"},
    "cost": set(),
    "followup": {"persons", "work", "education", "work_or_education", "sa_recipients", "moved"},
}
KEYS = {"ref_year", "kommnr", "cohort", "year", "horizon", "kjonn"}


def parse_table(text):
    """Splits the right-aligned table format by the header's right edges."""
    lines = text.splitlines()
    if not lines:
        return [], []
    head = lines[0]
    names, ends, i = [], [], 0
    while i < len(head):
        if head[i] == " ":
            i += 1
            continue
        j = i
        while j < len(head) and head[j] != " ":
            j += 1
        names.append(head[i:j])
        ends.append(j)
        i = j
    rows = []
    for line in lines[1:]:
        cells, start = [], 0
        for end in ends:
            cells.append(line[start:end].strip())
            start = end + 2
        rows.append(dict(zip(names, cells)))
    return names, rows


def main():
    kohort, store = sys.argv[1], sys.argv[2]
    exposed = []
    for table in ("exit", "status", "cost", "followup"):
        out = subprocess.run([kohort, "query", "--store", store, "--table", table,
                              "--ref-year", "all"], capture_output=True, text=True)
        if out.returncode != 0:
            continue  # a table this version does not have
        names, rows = parse_table(out.stdout)
        keys = [n for n in names if n in KEYS and n != "ref_year"]
        cols = [n for n in names if n not in KEYS and n != "suppressed"]
        state = {}
        for r in rows:
            key = tuple(r[k] for k in keys)
            for c in cols:
                v = r[c]
                kind = "S" if v == ":" else ("V" if v != "" else None)
                if kind:
                    state.setdefault((table, key, c), {}).setdefault(kind, []).append(r["ref_year"])
        for (t, key, c), kinds in sorted(state.items()):
            if "S" in kinds and "V" in kinds:
                exposed.append((t, key, c, kinds["S"], kinds["V"]))
    core = [e for e in exposed if e[2] in BASES_COUNTS[e[0]]]
    print(f"exposed cells: {len(exposed)} (bases and counts: {len(core)})")
    for t, key, c, s, v in exposed[:5]:
        print(f"  {t} {','.join(key)} {c}: suppressed in {' '.join(s)}, shown in {' '.join(v)}")
    sys.exit(1 if exposed else 0)


main()
