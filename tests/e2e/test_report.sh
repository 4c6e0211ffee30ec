# kohort report: the HTML page parses, is self-contained and holds every
# section; each suppressed cell (known from a run with --min-cell 0 on the
# same extract) is ":" in the tables and left out of the charts, and every
# value drawn is a stored value; edge cases (no cost data, one municipality,
# every cell suppressed, several reference years, markup in a path); and a
# headless Chromium renders the page to a PNG that is not blank, lays it
# out at 1280 px (no text on another, outside its chart or under a line) and
# prints it (A4, the first page not left mostly empty). The
# rendered picture and its page are kept in $KOHORT_REPORT_OUT.{png,html}
# (default /tmp/kohort-test-report) for a person to look at.
source "$(dirname "$0")/lib.sh"
out=${KOHORT_REPORT_OUT:-${TMPDIR:-/tmp}/kohort-test-report}
gen "$T/ex" 20000

krun() { # EXTRACTS STORE [options]: a run that must succeed
  "$KOHORT" run --extracts "$1" --store "$2" --allow-synthetic-ids --quiet "${@:3}" >"$T/run.log" 2>&1 \
    || { cat "$T/run.log"; fail "kohort run ${*:3} on $1 failed"; }
}
report() { # STORE OUT [options]: a report that must succeed
  "$KOHORT" report --store "$1" --out "$2" "${@:3}" 2>"$T/report.err" \
    || { cat "$T/report.err"; fail "kohort report ${*:3} exited $?"; }
}
queries() { # STORE REF PREFIX: the four tables as CSV and in the table format
  local t
  for t in exit status cost followup; do
    "$KOHORT" query --store "$1" --ref-year "$2" --table $t --format csv >"$3.$t.csv"
    "$KOHORT" query --store "$1" --ref-year "$2" --table $t --format table >"$3.$t.txt"
  done
}

cat >"$T/check.py" <<'PY'
# check.py MODE HTML PREFIX [PREFIX0]: checks a report against the query
# output of its store (PREFIX.TABLE.csv/.txt) and, where given, of the
# same extract run without disclosure control (PREFIX0.TABLE.csv).
import csv, html.parser, os, re, sys

VOID = {'meta', 'br', 'hr', 'img', 'input', 'link', 'area', 'base', 'col', 'wbr', 'source'}
TABLES = ('exit', 'status', 'cost', 'followup')

def nkeys(t):
    """Columns up to the values: ref_year and the key columns."""
    return 5 if t == 'followup' else 3

class Page(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.errors, self.ids, self.marks = [], [], set(), []
        self.figs, self.tables, self.text = {}, {}, []
        self.shown_rows = {}  # table: the cells of each row as people read them
        self.fig = self.table = self.row = self.cell = None
        self.section, self.section_text = None, {}
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for k, v in a.items():
            v = (v or '').strip().lower()
            if k in ('src', 'href') and not v.startswith('#') or 'url(' in v or k.startswith('on'):
                self.errors.append('external or active reference %s=%r' % (k, v))
        if tag in ('script', 'link', 'iframe', 'img', 'object', 'embed', 'image', 'use'):
            self.errors.append('<%s> in a self-contained page' % tag)
        if tag not in VOID:
            self.stack.append(tag)
        if 'id' in a:
            assert a['id'] not in self.ids, 'duplicate id ' + a['id']
            self.ids.add(a['id'])
        if tag == 'section':
            self.section = a.get('id')
        if tag == 'figure':
            self.fig = a['id']
            self.figs[self.fig] = a.get('data-kommuner', '').split()
        if 'data-cells' in a:
            self.marks.append((self.fig, a['data-cells'].split(), a.get('data-v', '').split(' ')))
        if tag == 'table' and 'data-t' in a:
            self.table = a['data-t']
            self.tables[self.table] = {'head': [], 'rows': {}}
        if self.table and tag == 'tr' and 'data-k' in a:
            self.row = (a['data-k'], a['data-y']) + ((a['data-h'], a['data-g']) if 'data-h' in a else ())
            assert self.row not in self.tables[self.table]['rows'], ('row twice', self.row)
            self.tables[self.table]['rows'][self.row] = []
            self.shown_rows.setdefault(self.table, []).append([])
        if self.table and tag in ('td', 'th'):
            self.cell = []
            # the stored value (data-v) or column name (data-col) behind what people read
            self.cell_value = a.get('data-v', a.get('data-col'))
    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append('</%s> closes <%s> at line %d' % (tag, self.stack[-1] if self.stack else '-', self.getpos()[0]))
            return
        self.stack.pop()
        if tag == 'figure':
            self.fig = None
        if tag == 'section':
            self.section = None
        if tag == 'table':
            self.table = None
        if tag in ('td', 'th') and self.cell is not None and self.table:
            text = ''.join(self.cell).strip()
            if self.row:
                self.shown_rows[self.table][-1].append(text)
            if self.cell_value is not None:
                text = self.cell_value
            if self.row:
                self.tables[self.table]['rows'][self.row].append(text)
            elif tag == 'th':
                self.tables[self.table]['head'].append(text)
            self.cell = None
        if tag == 'tr':
            self.row = None
    def handle_data(self, d):
        self.text.append(d)
        if self.section:
            self.section_text[self.section] = self.section_text.get(self.section, '') + d
        if self.cell is not None:
            self.cell.append(d)

def load(path):
    p = Page()
    src = open(path, encoding='utf-8').read()
    assert src.startswith('<!DOCTYPE html>'), 'no doctype'
    p.feed(src)
    p.close()
    assert not p.errors, p.errors[:5]
    assert not p.stack, 'unclosed tags: %s' % p.stack
    p.alltext = ''.join(p.text)
    return p

def query_csv(prefix, t):
    rows = {}
    with open('%s.%s.csv' % (prefix, t), newline='') as f:
        r = csv.reader(f)
        head = next(r)
        for line in r:
            d = dict(zip(head, line))
            rows[tuple(d[h] for h in head[1:nkeys(t)])] = d
    return head, rows

def query_table(prefix, t):
    """The table format: right-aligned columns, ':' for suppressed."""
    lines = open('%s.%s.txt' % (prefix, t)).read().split('\n')
    head = lines[0]
    ends, names, pos = [], head.split(), 0
    for n in names:
        pos = head.index(n, pos) + len(n)
        ends.append(pos)
    rows = {}
    for line in lines[1:]:
        if not line.strip():
            continue
        vals, start = {}, 0
        for n, e in zip(names, ends):
            vals[n] = line[start:e].strip()
            start = e
        rows[tuple(vals[n] for n in names[1:nkeys(t)])] = vals
    return rows

SECTIONS = ['summary', 'attainment', 'predicted', 'longterm', 'duration', 'cost', 'followup', 'tables']
FIGS = ['fig-attainment', 'fig-predicted', 'fig-work-education', 'fig-social-assistance',
        'fig-duration', 'fig-extended', 'fig-followup']
COST_FIGS = ['fig-cost-results', 'fig-cost-index', 'fig-cost-per-attained']

def check_tables(p, prefix, prefix0, only=None):
    """Every row and cell of the page's tables against the store; returns
    the suppressed cells known from the run without disclosure control."""
    suppressed, nsup = set(), 0
    for t in TABLES:
        head, rows = query_csv(prefix, t)
        if only is not None:
            rows = {k: v for k, v in rows.items() if k[0] in only or k[0] == '0000'}
        if not rows:
            assert t not in p.tables and 'table-%s-empty' % t in p.ids, t
            continue
        fmt = query_table(prefix, t)
        rows0 = query_csv(prefix0, t)[1] if prefix0 else None
        got = p.tables[t]
        nk = nkeys(t)
        cols = head[nk:]
        assert got['head'] == ['municipality'] + head[1:nk] + cols, (t, got['head'])
        assert set(got['rows']) == set(rows), (t, sorted(set(got['rows']) ^ set(rows))[:5])
        for key, d in rows.items():
            cells = got['rows'][key]
            assert cells[1:nk] == list(key), (t, key, cells[:nk])
            for c, col in enumerate(cols):
                shown = cells[nk + c]
                if col == 'suppressed':
                    assert shown == d[col], (t, key, col, shown)
                elif d[col] != '':
                    assert shown == d[col], (t, key, col, shown, d[col])
                else:
                    assert shown == fmt[key][col], (t, key, col, shown, fmt[key][col])
                    if rows0 is not None and rows0[key][col] != '':
                        assert shown == ':', ('suppressed cell not shown as ":"', t, key, col, shown)
                        suppressed.add((t,) + key + (col,))
                    if shown == ':':
                        nsup += 1
    return suppressed, nsup

def check_marks(p, prefix, suppressed, only=None, everyone=()):
    """Every drawn value is a stored, unsuppressed value, shown as stored;
    with `only`, of those municipalities (but in the figures `everyone`,
    which show every municipality)."""
    rows = {t: query_csv(prefix, t)[1] for t in TABLES}
    n = 0
    for fig, cells, vals in p.marks:
        assert fig, 'a mark outside a figure'
        assert len(cells) == len(vals), (fig, cells, vals)
        for ref, v in zip(cells, vals):
            part = ref.split(':')
            if part[0] == 'national':
                continue
            t, key, col = part[0], tuple(part[1:-1]), part[-1]
            k = key[0]
            assert (t,) + key + (col,) not in suppressed, ('suppressed cell drawn', fig, ref)
            stored = rows[t].get(key, {}).get(col, '')
            assert stored != '', ('empty cell drawn', fig, ref, v)
            assert v == stored, ('drawn value differs', fig, ref, v, stored)
            if only is not None and fig not in everyone:
                assert k in only or k == '0000', ('municipality not asked for', fig, ref)
            n += 1
    return n

def size(rows, k):
    total = rows.get((k, '0000'), {}).get('exits', '')
    if total != '':
        return int(total)
    return sum(int(d['exits']) for (kk, y), d in rows.items() if kk == k and y != '0000' and d['exits'] != '')

mode, path, prefix = sys.argv[1:4]
prefix0 = sys.argv[4] if len(sys.argv) > 4 else None
p = load(path)
for s in SECTIONS:
    assert s in p.ids, 'section %s missing' % s
figs = FIGS + ([] if mode == 'nocost' else COST_FIGS)
for f in figs:
    assert f in p.ids, 'figure %s missing' % f

if mode == 'full':
    suppressed, nsup = check_tables(p, prefix, prefix0)
    assert len(suppressed) > 20, 'too few known suppressed cells to test: %d' % len(suppressed)
    n = check_marks(p, prefix, suppressed)
    assert n > 100, 'only %d values drawn' % n
    # the chart holds the 8 largest municipalities, and every value of theirs
    _, exits = query_csv(prefix, 'exit')
    munis = sorted({k for k, _ in exits if k != '0000'}, key=lambda k: (-size(exits, k), k))
    assert len(munis) > 8
    assert p.figs['fig-attainment'] == munis[:8], (p.figs['fig-attainment'], munis[:8])
    assert '8 municipalities with the most exits, of the %d' % len(munis) in p.alltext
    drawn = {c for f, cells, _ in p.marks if f == 'fig-attainment' for c in cells}
    for (k, y), d in exits.items():
        if k in munis[:8] + ['0000'] and y != '0000' and d['attained_share'] != '':
            assert 'exit:%s:%s:attained_share' % (k, y) in drawn, ('value not drawn', k, y)
    assert any(c.startswith('national:') for c in drawn), 'no national line'
    for name in ('Oslo (0301)', 'Bergen (4601)', 'Trondheim (5001)', 'Bærum (3201)'):
        assert name in p.alltext, name
    assert 'The store holds no other reference year' in p.alltext
    # what people read: a residual (a difference of two shares) in percentage
    # points, as the chart's axis says; every number of 1 000 or more with
    # its thousands separated, as the page says
    col = query_csv(prefix, 'exit')[0].index('residual')  # the name stands where ref_year is
    resid = [row[col] for row in p.shown_rows['exit'] if row[col] not in ('', ':')]
    assert resid and all(v.endswith(' p.p.') for v in resid), ('residual not in p.p.', resid[:5])
    assert 'thousands separated by a space' in p.alltext
    bare = [v for t in TABLES for row in p.shown_rows.get(t, []) for v in row[nkeys(t):]
            if re.search(r'\d{4}', v)]
    assert not bare, ('a number of 1 000 or more without a separator', bare[:5])
    print('full: %d suppressed cells known, %d shown as ":", %d values drawn' % (len(suppressed), nsup, n))
elif mode == 'nocost':
    assert 'No cost data' in p.section_text['cost'], p.section_text['cost'][:300]
    for f in COST_FIGS:
        assert f not in p.ids, f
    check_tables(p, prefix, None)
    check_marks(p, prefix, set())
elif mode == 'one':
    for f in figs:
        assert p.figs[f] == ['0301'], (f, p.figs[f])
    check_tables(p, prefix, prefix0, only={'0301'})
    assert check_marks(p, prefix, set(), only={'0301'}, everyone={'fig-predicted'}) > 10
    assert '9999 (no rows in reference year' in p.alltext
elif mode == 'focus':
    # a page for Oslo against Bergen and Trondheim
    peers = ['0301', '4601', '5001']
    assert p.alltext.startswith('Oslo: kohort report') or 'Oslo: introduction programme results' in p.alltext
    assert 'A page for Oslo (0301), against its peers Bergen (4601), Trondheim (5001)' in p.alltext
    for f in figs:
        if f != 'fig-followup':
            assert p.figs[f] == peers, (f, p.figs[f])
    check_tables(p, prefix, prefix0, only=set(peers))
    assert check_marks(p, prefix, set(), only=set(peers), everyone={'fig-predicted'}) > 10
    # the residual of every municipality that shows one, Oslo's among them
    _, exits = query_csv(prefix, 'exit')
    want = {k for (k, y), d in exits.items() if y == '0000' and k != '0000' and d['residual'] != ''}
    bars = {c.split(':')[1] for f, cells, _ in p.marks if f == 'fig-predicted' for c in cells}
    assert bars == want and '0301' in bars, (sorted(bars ^ want)[:5])
elif mode == 'long':
    # a page for Tromsø, the longest name the generator gives, against two
    # peers: its name ends a line (in bold) and titles a followup panel
    peers = ['5501', '0301', '4601']
    name = 'Tromsø - Romsa - Tromssa'
    for f in figs:
        if f != 'fig-followup':
            assert p.figs[f] == peers, (f, p.figs[f])
    check_tables(p, prefix, prefix0, only=set(peers))
    check_marks(p, prefix, set(), only=set(peers), everyone={'fig-predicted'})
    src = open(path, encoding='utf-8').read()
    assert re.search(r'<text class="end-label"[^>]*>%s(<title>|</text>)' % name, src), 'no end label ' + name
    assert re.search(r'<svg class="chart fu"[^>]*data-k="5501"', src), 'no followup panel for 5501'
elif mode == 'allsup':
    _, nsup = check_tables(p, prefix, None)
    for t in ('exit', 'status', 'followup'):
        for key, cells in p.tables[t]['rows'].items():
            assert set(cells[nkeys(t):-1]) == {':'}, (t, key, cells)
    assert nsup > 100, nsup
    for f, cells, _ in p.marks:
        for c in cells:
            assert c.startswith('national:') or c.startswith('cost:') and c.endswith('cost_index'), (f, c)
    assert p.alltext.count('No values to draw') >= 6, p.alltext.count('No values to draw')
    assert 'the first by code (every exit count is suppressed' in p.alltext
elif mode.startswith('years'):
    ref, other = mode.split(':')[1:]
    assert 'reference year %s' % ref in p.alltext.split('\n')[0] or 'reference year %s' % ref in p.alltext
    assert 'Introduction programme results, reference year %s' % ref in p.alltext
    assert 'The store also holds reference year %s' % other in p.alltext, 'other year not named'
    check_tables(p, prefix, None)
    check_marks(p, prefix, set())
elif mode == 'escape':
    assert 'a&b<c>"d\'' in p.alltext, 'store path not shown as written'
else:
    raise SystemExit('unknown mode ' + mode)
PY
check() { python3 "$T/check.py" "$@" || fail "check $1 of $2"; }

# ---- a store with suppressed cells, and the same extract without control ----
krun "$T/ex" "$T/st"
krun "$T/ex" "$T/st0" --min-cell 0
queries "$T/st" 2024 "$T/q"
queries "$T/st0" 2024 "$T/q0"
report "$T/st" "$T/r.html"
check full "$T/r.html" "$T/q" "$T/q0"

# ---- one municipality (and one the store does not hold) ----
report "$T/st" "$T/one.html" --kommune 0301,9999
check one "$T/one.html" "$T/q" "$T/q0"

# ---- a page for one municipality against its peers ----
report "$T/st" "$T/focus.html" --kommune 0301 --peers 4601,5001
check focus "$T/focus.html" "$T/q" "$T/q0"

# ---- a page with a long name: Tromsø's, the longest the generator gives ----
report "$T/st" "$T/long.html" --kommune 5501 --peers 0301,4601
check long "$T/long.html" "$T/q" "$T/q0"

# ---- no cost data ----
mkdir "$T/nocost"
for f in "$T/ex"/*; do
  case "$(basename "$f")" in ref_kostnader.*) ;; *) ln -s "$f" "$T/nocost/" ;; esac
done
krun "$T/nocost" "$T/stn"
queries "$T/stn" 2024 "$T/qn"
report "$T/stn" "$T/nocost.html"
check nocost "$T/nocost.html" "$T/qn"

# ---- every cell suppressed ----
krun "$T/ex" "$T/sta" --min-cell 100000
queries "$T/sta" 2024 "$T/qa"
report "$T/sta" "$T/allsup.html"
check allsup "$T/allsup.html" "$T/qa"

# ---- several reference years: one per report, the others named ----
cp -r "$T/st" "$T/sty"
krun "$T/ex" "$T/sty" --ref-year 2023
queries "$T/sty" 2023 "$T/q23"
# the run for 2023 may have suppressed cells of 2024 too (indicators.md 7.4)
queries "$T/sty" 2024 "$T/q24"
report "$T/sty" "$T/y24.html"
check years:2024:2023 "$T/y24.html" "$T/q24"
report "$T/sty" "$T/y23.html" --ref-year 2023
check years:2023:2024 "$T/y23.html" "$T/q23"
"$KOHORT" report --store "$T/sty" --out "$T/none.html" --ref-year 2019 2>"$T/err" && fail "a year the store lacks"
grep -q "no indicators for reference year 2019 (it holds 2023 2024)" "$T/err" || fail "error: $(cat "$T/err")"
[ ! -e "$T/none.html" ] || fail "a failed report left a file"

# ---- markup in what the page shows is escaped ----
cp -r "$T/st" "$T/a&b<c>\"d'"
report "$T/a&b<c>\"d'" "$T/esc.html"
check escape "$T/esc.html" "$T/q"

# ---- usage ----
status() { "$@" >/dev/null 2>&1 && echo 0 || echo $?; }
[ "$(status "$KOHORT" report --store "$T/st")" = 2 ] || fail "no --out is not a usage error"
[ "$(status "$KOHORT" report --store "$T/st" --out "$T/x.html" --kommune 301)" = 2 ] \
  || fail "a 3-digit --kommune is not a usage error"
[ "$(status "$KOHORT" report --store "$T/nothere" --out "$T/x.html")" = 1 ] || fail "no store is not exit 1"
"$KOHORT" report --help | grep -q "usage: kohort report" || fail "--help"
[ "$(status "$KOHORT" report --store "$T/st" --out "$T/x.html" --kommune 0301,4601 --peers 5001)" = 2 ] \
  || fail "--peers with several --kommune is not a usage error"

# ---- a headless Chromium renders the page: the picture is not blank ----
cp "$T/r.html" "$out.html"
chrome=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$chrome" ]; then
  echo "SKIP: chromium is not installed (tools/deps.sh installs Debian's package chromium); render not checked"
  exit 77
fi
rm -f "$out.png"
timeout 90 "$chrome" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync --disable-dev-shm-usage \
  --hide-scrollbars --user-data-dir="$T/chrome" --screenshot="$out.png" --window-size=1200,3000 \
  "file://$out.html" >"$T/chrome.log" 2>&1 || true
if [ ! -s "$out.png" ]; then
  echo "SKIP: chromium did not start or render ($(grep -v -i dbus "$T/chrome.log" | tail -n 1)); render not checked"
  exit 77
fi
python3 - "$out.png" <<'PY' || fail "the rendered report $out.png looks blank"
# Decodes the PNG (8-bit RGB/RGBA, not interlaced) and counts colours.
import struct, sys, zlib
data = open(sys.argv[1], 'rb').read()
assert data[:8] == b'\x89PNG\r\n\x1a\n', 'not a PNG'
pos, idat = 8, b''
while pos < len(data):
    n, typ = struct.unpack('>I4s', data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if typ == b'IHDR':
        w, h, depth, ctype, _, _, inter = struct.unpack('>IIBBBBB', body)
    elif typ == b'IDAT':
        idat += body
    pos += 12 + n
assert depth == 8 and inter == 0 and ctype in (2, 6), (depth, ctype, inter)
bpp = 3 if ctype == 2 else 4
raw, stride = zlib.decompress(idat), w * bpp
prev, i, colours, ink = bytearray(stride), 0, set(), 0
for y in range(h):
    f, line = raw[i], bytearray(raw[i + 1:i + 1 + stride])
    i += 1 + stride
    if f == 1:
        for x in range(bpp, stride): line[x] = (line[x] + line[x - bpp]) & 255
    elif f == 2:
        line = bytearray((a + b) & 255 for a, b in zip(line, prev))
    elif f == 3:
        for x in range(stride):
            line[x] = (line[x] + ((line[x - bpp] if x >= bpp else 0) + prev[x]) // 2) & 255
    elif f == 4:
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b, c = prev[x], (prev[x - bpp] if x >= bpp else 0)
            q = a + b - c
            pa, pb, pc = abs(q - a), abs(q - b), abs(q - c)
            line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    prev = line
    if y % 4 == 0:
        for x in range(0, stride, bpp * 2):
            px = bytes(line[x:x + 3])
            colours.add(px)
            ink += px != b'\xff\xff\xff'
print('render: %dx%d, %d colours, %d of %d sampled pixels not white' % (w, h, len(colours), ink, (h // 4) * (w // 2)))
assert w == 1200 and h == 3000, (w, h)
assert len(colours) >= 50, 'only %d colours' % len(colours)
assert ink > (h // 4) * (w // 2) // 50, 'almost all white'
# the chart palette is there (the first colour, blue #0072B2)
assert any(abs(p[0] - 0x00) < 8 and abs(p[1] - 0x72) < 8 and abs(p[2] - 0xb2) < 8 for p in colours), 'no chart colour'
PY
echo "rendered: $out.png (page $out.html)"

# ---- what a reader sees at 1280 px: no chart text on another, outside its
# chart or under a line drawn after it, no table too wide; the print rules ----
layout() { # PAGE: runs layout-check.js in a copy of PAGE, prints its JSON
  cp "$1" "$T/layout.html"
  printf '<script>%s</script>\n' "$(cat "$(dirname "$0")/report/layout-check.js")" >>"$T/layout.html"
  timeout 90 "$chrome" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync --disable-dev-shm-usage \
    --user-data-dir="$T/chrome" --window-size=1280,1000 --virtual-time-budget=5000 --dump-dom \
    "file://$T/layout.html" 2>>"$T/chrome.log" | sed -n 's/.*<pre id="layout-check">\(.*\)<\/pre>.*/\1/p'
}
for page in r focus one long; do
  layout "$T/$page.html" >"$T/layout-$page.json"
  python3 - "$T/layout-$page.json" "$page" <<'PY' || fail "layout of the $page page"
import html, json, sys
d = json.loads(html.unescape(open(sys.argv[1]).read()))
print('layout %s: %d charts, %d texts, %d tables, page %d px wide' % (sys.argv[2], d['charts'], d['texts'], d['tables'], d['page_width']))
assert d['charts'] >= 8 and d['texts'] > 100, d
assert not d['overlaps'], ('texts on top of each other', d['overlaps'][:5])
assert not d['outside'], ('texts leave their chart (cut off)', d['outside'][:5])
assert not d['buried'], ('texts under a line or dot drawn after them', d['buried'][:5])
assert d['print']['page_size'].lower().startswith('a4'), ('print: @page size', d['print'])
assert d['print']['first_break'] != 'page', ('print: the first section forced onto page 2', d['print'])
assert not d['wide_tables'], ('tables wider than the window', d['wide_tables'])
assert d['page_width'] <= 1280, ('the page scrolls sideways', d['page_width'])
PY
done

# ---- printed: A4 pages, and the first not left mostly empty ----
rm -f "$T/long.pdf"
timeout 90 "$chrome" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync --disable-dev-shm-usage \
  --user-data-dir="$T/chrome" --no-pdf-header-footer --print-to-pdf="$T/long.pdf" \
  "file://$T/long.html" >>"$T/chrome.log" 2>&1 || true
[ -s "$T/long.pdf" ] || fail "chromium printed no PDF of the report"
python3 - "$T/long.pdf" <<'PY' || fail "the printed report"
# Reads Chromium's (Skia's) PDF: each page's MediaBox, and how far down the
# first page its text reaches. Skia draws a page as a clip of the printable
# area, then one transform from CSS px, then the text of the HTML at that
# level (nested q/Q hold the SVGs).
import re, sys, zlib
d = open(sys.argv[1], 'rb').read()
pages = re.findall(rb'<</Type /Page\n.*?/MediaBox \[([^\]]*)\]\n/Contents (\d+) 0 R', d, re.S)
assert pages, 'no pages found in the PDF'
sizes = {tuple(round(float(x)) for x in mb.split()) for mb, _ in pages}
assert all(abs(w - 595) <= 1 and abs(h - 842) <= 1 for _, _, w, h in sizes), ('not A4', sizes)
start = re.search(rb'\b%s 0 obj' % pages[0][1], d).end()
head = d[start:start + 200]
body = d[start + head.index(b'stream') + 6:].lstrip(b'\r\n')
ops = zlib.decompress(body[:int(re.search(rb'/Length (\d+)', head).group(1))]).decode('latin1')
m = re.search(r'^q\n[-\d.]+ ([-\d.]+) [-\d.]+ ([-\d.]+) re\nW\* n\nq\n([-\d.]+) 0 0 [-\d.]+ [-\d.]+ ([-\d.]+) cm',
              ops, re.M)
assert m, 'page 1: no clip and transform where Skia writes them'
clip_y, clip_h, scale, ty = map(float, m.groups())
top, height = (clip_y - ty) / scale, clip_h / scale
depth, lowest = 0, top
for line in ops.split('\n'):
    depth += (line == 'q') - (line == 'Q')
    t = re.match(r'1 0 0 -1 [-\d.]+ ([-\d.]+) Tm', line)
    if t and depth == 2:
        lowest = max(lowest, float(t.group(1)))
fill = (lowest - top) / height
print('print: %d A4 pages, text on page 1 down to %.0f %% of it' % (len(pages), fill * 100))
assert fill > 0.5, 'page 1 is mostly empty: its text ends %.0f %% down' % (fill * 100)
PY
