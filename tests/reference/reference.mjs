// reference.mjs - independent reference implementation of kohort (test oracle).
//
// Reads an extract directory with DuckDB (SQL in rules.sql, link.sql,
// indicators.sql beside this file) and writes exit.csv, status.csv, followup.csv, cost.csv
// in the format of `kohort query --format csv`, plus ledger.json and
// quarantine.csv. JavaScript only orchestrates, splits each file into
// records in one streaming pass (split.mjs: quoted fields may span lines),
// and does what is awkward in SQL over the small aggregated tables: exact
// rational cost indices and iterated disclosure control.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { normalise, UnusableError } from './split.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));

function fail(message) {
  process.stderr.write(`reference: ${message}\n`);
  process.exit(1);
}

function parseArgs(argv) {
  const opts = { minCell: 5, allowSynthetic: false, rule2032: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => { if (i + 1 >= argv.length) usage(`${a} needs a value`); return argv[++i]; };
    if (a === '--extracts') opts.extracts = val();
    else if (a === '--out') opts.out = val();
    else if (a === '--ref-year') opts.refYear = Number(val());
    else if (a === '--cohorts') {
      const m = /^(\d{4})-(\d{4})$/.exec(val());
      if (!m) usage('--cohorts wants FROM-TO');
      opts.from = Number(m[1]); opts.to = Number(m[2]);
    } else if (a === '--min-cell') opts.minCell = Number(val());
    else if (a === '--allow-synthetic-ids') opts.allowSynthetic = true;
    else if (a === '--id-rule-2032') opts.rule2032 = true;
    else if (a === '--help') usage(null);
    else usage(`unknown option ${a}`);
  }
  if (!opts.extracts || !opts.out) usage('--extracts and --out are required');
  if (!Number.isInteger(opts.minCell) || opts.minCell < 0) usage('--min-cell wants a whole number >= 0');
  return opts;
}

function usage(message) {
  const text = 'usage: node reference.mjs --extracts DIR --out OUTDIR [--ref-year R] '
    + '[--cohorts FROM-TO] [--min-cell K] [--allow-synthetic-ids] [--id-rule-2032]\n';
  if (message) { process.stderr.write(`reference: ${message}\n${text}`); process.exit(2); }
  process.stdout.write(text); process.exit(0);
}

// Column rules: [name, rule, optional]. The rule names a reason macro of
// rules.sql and a typed value; cross-column rules are added in columnReason().
const TABLES = [
  { name: 'id_historikk', required: false, cols: [['gammelt_id', 'id'], ['nytt_id', 'id']] },
  { name: 'f_intro', required: true, cols: [['fnr', 'id'], ['startdato', 'date'],
    ['avgangsdato', 'date', true], ['sluttstatus', 'status', true]] },
  { name: 'bosatte', required: true, cols: [['fnr', 'id'], ['aar', 'year'], ['kommnr', 'kommnr']] },
  { name: 'shj', required: true, cols: [['fnr', 'id'], ['aar', 'year'], ['belop', 'nok']] },
  { name: 'utdanning', required: true, cols: [['fnr', 'id'], ['aar', 'year'], ['nus2000', 'nus']] },
  { name: 'f_jobber', required: true, cols: [['fnr', 'id'], ['orgnr', 'orgnr'], ['startdato', 'date'],
    ['sluttdato', 'date', true]] },
  { name: 'befolkning', required: true, cols: [['fnr', 'id'], ['kjonn', 'kjonn'], ['fodselsdato', 'date'],
    ['landbakgrunn', 'landbakgrunn']] },
  { name: 'ref_monitor', required: false, cols: [['landbakgrunn', 'mon_land'], ['kjonn', 'mon_kjonn'],
    ['andel', 'share']] },
  { name: 'ref_nasjonal', required: false, cols: [['aar', 'year'], ['andel', 'share']] },
  { name: 'ref_kostnader', required: false, cols: [['kommnr', 'kommnr'], ['aar', 'year'],
    ['utgifter_totalt', 'amount'], ['utgifter_admin', 'amount'], ['personer_malgruppe', 'persons']] },
  { name: 'ref_kommuneendringer', required: false, cols: [['gammel', 'kommnr'], ['ny', 'kommnr'],
    ['dato', 'date']] },
  { name: 'ref_kommunenavn', required: false, cols: [['kommnr', 'kommnr'], ['navn', 'navn']] },
];

const RULES = {
  id: { reason: (v, o) => `kh_id_reason(${v}, ${o.allowSynthetic}, ${o.rule2032})`, type: 'VARCHAR', value: (v) => v },
  date: { reason: (v) => `kh_date_reason(${v})`, type: 'DATE', value: (v) => `kh_date(${v})` },
  year: { reason: (v) => `kh_year_reason(${v})`, type: 'INTEGER', value: (v) => `try_cast(${v} AS INTEGER)` },
  kommnr: { reason: (v) => `kh_kommnr_reason(${v})`, type: 'VARCHAR', value: (v) => v },
  status: { reason: (v) => `kh_status_reason(${v})`, type: 'VARCHAR', value: (v) => v },
  nok: { reason: (v) => `kh_nok_reason(${v})`, type: 'HUGEINT', value: (v) => `try_cast(${v} AS HUGEINT)` },
  nus: { reason: (v) => `kh_nus_reason(${v})`, type: 'VARCHAR', value: (v) => v },
  orgnr: { reason: (v) => `kh_orgnr_reason(${v})`, type: 'VARCHAR', value: (v) => v },
  kjonn: { reason: (v) => `kh_kjonn_reason(${v})`, type: 'VARCHAR', value: (v) => v },
  landbakgrunn: { reason: (v) => `kh_landbakgrunn_reason(${v})`, type: 'VARCHAR', value: (v) => v },
  mon_land: { reason: (v) => `kh_mon_land_reason(${v})`, type: 'VARCHAR', value: (v) => v },
  mon_kjonn: { reason: (v) => `kh_mon_kjonn_reason(${v})`, type: 'VARCHAR', value: (v) => v },
  share: { reason: (v) => `kh_share_reason(${v})`, type: 'HUGEINT', value: (v) => `CASE WHEN kh_dec_ok(${v}) THEN kh_dec9(${v}) END` },
  amount: { reason: (v) => `kh_amount_reason(${v})`, type: 'HUGEINT', value: (v) => `CASE WHEN kh_dec_ok(${v}) THEN kh_dec9(${v}) END` },
  persons: { reason: (v) => `kh_persons_reason(${v})`, type: 'HUGEINT', value: (v) => `CASE WHEN kh_dec_ok(${v}) THEN kh_dec9(${v}) END` },
  navn: { reason: (v) => `kh_navn_reason(${v})`, type: 'VARCHAR', value: (v) => v },
};

const sqlString = (s) => `'${String(s).replace(/'/g, "''")}'`;

// KH_REF_TIMING=1 prints how long each step took (to stderr).
const T0 = Date.now();
const timing = (what) => { if (process.env.KH_REF_TIMING) process.stderr.write(`reference: ${what} at ${Date.now() - T0} ms\n`); };

async function rows(con, sql) {
  const reader = await con.runAndReadAll(sql);
  return reader.getRowObjectsJS();
}

async function loadTable(con, table, opts, tmpDir) {
  const dir = opts.extracts;
  const plain = path.join(dir, `${table.name}.csv`);
  const gz = `${plain}.gz`;
  const hasPlain = fs.existsSync(plain), hasGz = fs.existsSync(gz);
  if (hasPlain && hasGz) fail(`${table.name}: both ${table.name}.csv and ${table.name}.csv.gz exist`);
  if (!hasPlain && !hasGz) {
    if (table.required) fail(`required file ${table.name}.csv is missing in ${dir}`);
    await createEmpty(con, table);
    return null;
  }
  const src = hasGz ? gz : plain;
  const fileName = path.basename(src);
  const staged = path.join(tmpDir, `${table.name}.rec`);
  let head;
  try { head = await normalise(src, hasGz, staged); } catch (e) {
    if (e instanceof UnusableError) fail(`${fileName} is unusable: ${e.message}`);
    throw e;
  }
  if (head.headerProblem) fail(`${fileName} is unusable: ${head.headerProblem}`);
  if (head.header === null) fail(`${fileName} is unusable: it has no header line`);
  const names = head.header;
  timing(`  split ${table.name}`);
  const lower = names.map((n) => n.toLowerCase());
  const seen = new Set();
  for (const n of lower) {
    if (n !== '' && seen.has(n)) fail(`${fileName} is unusable: column ${n} appears twice in the header`);
    seen.add(n);
  }
  const index = {};
  for (const [col] of table.cols) {
    const at = lower.indexOf(col);
    if (at < 0) fail(`${fileName} is unusable: required column ${col} is missing`);
    index[col] = at + 1;
  }
  // The quarantine names a column by its header name (as spelled there).
  const hname = (col) => sqlString(names[index[col] - 1]);
  COLUMN_NAMES[table.name] = Object.fromEntries(table.cols.map(([c]) => [c, names[index[c] - 1]]));
  COLUMN_INDEX[table.name] = index;
  // bad_quoting names the column where the quoting first broke when it is
  // one of the table's columns (not an ignored extra one).
  const quoteCol = `CASE qfield ${table.cols.map(([c]) => `WHEN ${index[c] - 1} THEN ${hname(c)}`).join(' ')} END`;
  // One row per record (split.mjs): its start line, a record-level reason
  // (line_too_long, encoding, bad_quoting) or the unquoted, trimmed fields.
  await con.run(`CREATE OR REPLACE TABLE rec_${table.name} AS
    SELECT line, pre_reason, qfield,
           CASE WHEN pre_reason IS NULL THEN list_transform(string_split(coalesce(f, ''), chr(31)), x -> trim(kh_unesc(x), ' ' || chr(9))) END AS f
    FROM read_csv(${sqlString(staged)},
                  columns = {'line': 'BIGINT', 'pre_reason': 'VARCHAR', 'qfield': 'INTEGER', 'f': 'VARCHAR'},
                  header = false, delim = chr(29), quote = '', escape = '', auto_detect = false,
                  strict_mode = false, max_line_size = 200000000)`);
  fs.rmSync(staged, { force: true });
  timing(`  records of ${table.name}`);
  const ordered = [...table.cols].sort((a, b) => index[a[0]] - index[b[0]]);
  const val = (col) => `f[${index[col]}]`;
  const whens = ordered.map(([col, rule, optional]) => {
    const v = val(col);
    const checks = [];
    if (!optional) checks.push(`WHEN ${v} = '' THEN {'col': ${hname(col)}, 'reason': 'missing'}`);
    const r = RULES[rule].reason(v, opts);
    checks.push(`WHEN ${v} <> '' AND ${r} IS NOT NULL THEN {'col': ${hname(col)}, 'reason': ${r}}`);
    checks.push(...crossRules(table.name, col, index, hname));
    return checks.join('\n            ');
  });
  const typed = table.cols.map(([col, rule]) =>
    `CAST(CASE WHEN ${val(col)} <> '' THEN ${RULES[rule].value(val(col))} END AS ${RULES[rule].type}) AS ${col}`);
  await con.run(`CREATE OR REPLACE TABLE v_${table.name} AS
    SELECT line, rj.col AS col, rj.reason AS reason, ${typed.join(', ')}
    FROM (SELECT line, f, CASE
            WHEN pre_reason = 'bad_quoting' THEN {'col': ${quoteCol}, 'reason': pre_reason}
            WHEN pre_reason IS NOT NULL THEN {'col': NULL, 'reason': pre_reason}
            WHEN len(f) <> ${names.length} THEN {'col': NULL, 'reason': 'field_count'}
            ${whens.join('\n            ')}
          END AS rj FROM rec_${table.name}) t`);
  timing(`  validated ${table.name}`);
  // Typed values of rejected rows are never used; NULL them for clarity.
  await con.run(`UPDATE v_${table.name} SET ${table.cols.map(([c]) => `${c} = NULL`).join(', ')} WHERE reason IS NOT NULL`);
  return fileName;
}

function crossRules(tableName, col, index, hname) {
  const f = (c) => `f[${index[c]}]`;
  if (tableName === 'f_intro' && col === 'avgangsdato')
    return [`WHEN kh_date(${f('avgangsdato')}) < kh_date(${f('startdato')}) THEN {'col': ${hname('avgangsdato')}, 'reason': 'end_before_start'}`];
  if (tableName === 'f_intro' && col === 'sluttstatus')
    return [`WHEN ${f('sluttstatus')} = '' AND ${f('avgangsdato')} <> '' THEN {'col': ${hname('sluttstatus')}, 'reason': 'missing'}`];
  if (tableName === 'f_jobber' && col === 'sluttdato')
    return [`WHEN kh_date(${f('sluttdato')}) < kh_date(${f('startdato')}) THEN {'col': ${hname('sluttdato')}, 'reason': 'end_before_start'}`];
  return [];
}

// Per table: canonical column -> header spelling, and -> 1-based field index.
const COLUMN_NAMES = {};
const COLUMN_INDEX = {};

async function createEmpty(con, table) {
  const cols = table.cols.map(([col, rule]) => `${col} ${RULES[rule].type}`);
  await con.run(`CREATE OR REPLACE TABLE v_${table.name} (line BIGINT, col VARCHAR, reason VARCHAR, ${cols.join(', ')})`);
}

// Run the statements of one `-- @section NAME` of an SQL file.
function section(file, name, params) {
  const text = fs.readFileSync(path.join(HERE, file), 'utf8');
  const parts = text.split(/^-- @section /m);
  const part = parts.find((p) => p.startsWith(name + '\n'));
  if (!part) throw new Error(`no section ${name} in ${file}`);
  return substitute(part.slice(name.length + 1), params);
}

function substitute(sql, params) {
  return sql.replace(/\{\{(\w+)\}\}/g, (_, k) => String(params[k]));
}

// Pointer jumping: after the loop each node's succ is the end of its chain,
// or a node on the cycle it runs into.
async function jump(con, edgesTable) {
  await con.run(`CREATE OR REPLACE TABLE jmp AS
    SELECT old AS node, new AS succ FROM ${edgesTable}
    UNION ALL SELECT DISTINCT new, new FROM ${edgesTable} WHERE new NOT IN (SELECT old FROM ${edgesTable})`);
  const [{ n }] = await rows(con, 'SELECT count(*) AS n FROM jmp');
  const steps = Math.ceil(Math.log2(Number(n) + 2)) + 1;
  for (let i = 0; i < steps; i++)
    await con.run('CREATE OR REPLACE TABLE jmp AS SELECT a.node, b.succ FROM jmp a JOIN jmp b ON a.succ = b.node');
}

const SUPPORT_SQL = `
CREATE OR REPLACE MACRO kh_unesc(x) AS CASE WHEN strpos(x, chr(30)) = 0 THEN x ELSE
  replace(replace(replace(replace(replace(x, chr(30) || chr(5), chr(29)), chr(30) || chr(4), chr(31)),
    chr(30) || chr(3), chr(10)), chr(30) || chr(2), chr(13)), chr(30) || chr(1), chr(30)) END;
`;

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (!fs.existsSync(opts.extracts)) fail(`extract directory ${opts.extracts} does not exist`);
  fs.mkdirSync(opts.out, { recursive: true });
  const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kohort-ref-'));
  const instance = await DuckDBInstance.create(':memory:', { temp_directory: tmpDir });
  const con = await instance.connect();
  try {
    await con.run(fs.readFileSync(path.join(HERE, 'rules.sql'), 'utf8'));
    await con.run(SUPPORT_SQL);
    const files = {};
    for (const t of TABLES) {
      const fileName = await loadTable(con, t, opts, tmpDir);
      if (fileName) files[t.name] = fileName;
      timing(`read ${t.name}`);
    }
    const R = opts.refYear ?? Number((await rows(con, 'SELECT max(aar) AS r FROM v_bosatte WHERE reason IS NULL'))[0].r);
    if (!Number.isInteger(R) || R === 0) fail('no reference year: give --ref-year or accepted bosatte rows');
    const params = { R, FROM: opts.from ?? R - 7, TO: opts.to ?? R };
    await link(con, params);
    timing('link');
    await con.run(substitute(fs.readFileSync(path.join(HERE, 'indicators.sql'), 'utf8'), params));
    timing('indicators');
    await writeOutputs(con, opts, params, files);
    timing('outputs');
  } finally {
    con.closeSync?.();
    fs.rmSync(tmpDir, { recursive: true, force: true });
  }
}

async function link(con, params) {
  await con.run(section('link.sql', 'ih_base', params));
  await jump(con, 'ih_edges');
  await con.run(section('link.sql', 'ih_cycles', params));
  await jump(con, 'ih_acyc');
  await con.run(section('link.sql', 'ih_map', params));
  await con.run(section('link.sql', 'scope', params));
  await con.run(section('link.sql', 'kommune_edges', params));
  await jump(con, 'ke_jump_edges');
  await con.run(section('link.sql', 'kommune_map', params));
}

// ---- ledger and quarantine --------------------------------------------------

// [table of rejected lines, reason, column]; a list of key columns names the
// one that comes first in the header. The spec names no column for these:
// a duplicate is named at its key (the first key column in header order), a
// cycle row at nytt_id (the id that closes the cycle), as kohort does
// (see tests/reference/README.md).
const LINKER_REJECTS = {
  id_historikk: [['ih_dup', 'duplicate', ['gammelt_id']], ['ih_cyc', 'id_cycle', ['nytt_id']]],
  bosatte: [['dup_bosatte', 'duplicate', ['fnr']]],
  befolkning: [['dup_befolkning', 'duplicate', ['fnr']]],
  ref_monitor: [['dup_ref_monitor', 'duplicate', ['landbakgrunn', 'kjonn']]],
  ref_nasjonal: [['dup_ref_nasjonal', 'duplicate', ['aar']]],
  ref_kostnader: [['dup_ref_kostnader', 'duplicate', ['kommnr', 'aar']]],
  ref_kommuneendringer: [['dup_ref_kommuneendringer', 'duplicate', ['gammel', 'ny']]],
  ref_kommunenavn: [['dup_ref_kommunenavn', 'duplicate', ['kommnr']]],
};
function keyColumn(table, cols) {
  const first = [...cols].sort((a, b) => COLUMN_INDEX[table][a] - COLUMN_INDEX[table][b])[0];
  return COLUMN_NAMES[table][first];
}
// id_historikk rows are never out of scope: all of them are kept to resolve
// identities (lead's ruling); f_intro rows define the scope.
const PERSONAL = ['bosatte', 'shj', 'utdanning', 'f_jobber', 'befolkning'];

async function ledger(con, files) {
  const tables = {};
  const quarantine = [];
  for (const [name, fileName] of Object.entries(files)) {
    const linkerSql = (LINKER_REJECTS[name] ?? [])
      .map(([tbl, reason, cols]) => `SELECT line, ${sqlString(keyColumn(name, cols))} AS col, '${reason}' AS reason FROM ${tbl}`);
    const rejectSql = [`SELECT line, col, reason FROM v_${name} WHERE reason IS NOT NULL`, ...linkerSql].join(' UNION ALL ');
    const outSql = PERSONAL.includes(name)
      ? `SELECT count(*) FROM p_${name} WHERE pid NOT IN (SELECT pid FROM scope)
           AND line NOT IN (SELECT line FROM (${rejectSql}))` : 'SELECT 0';
    const [c] = await rows(con, `SELECT (SELECT count(*) FROM v_${name}) AS read,
        (SELECT count(*) FROM (${rejectSql})) AS rejected, (${outSql}) AS out_of_scope`);
    const read = Number(c.read), rejected = Number(c.rejected);
    tables[name] = { read, accepted: read - rejected, rejected, out_of_scope: Number(c.out_of_scope) };
    for (const r of await rows(con, `SELECT line, col, reason FROM (${rejectSql}) ORDER BY line`))
      quarantine.push(`${fileName},${r.line},${r.col ?? ''},${r.reason}`);
  }
  return { tables, quarantine };
}

// ---- disclosure control (indicators.md 7) -----------------------------------

const EXIT_COLS = ['exits', 'attained', 'to_work', 'to_education', 'attained_share', 'parental_leave',
  'attained_share_adjusted', 'mean_duration_days', 'extended', 'extended_share', 'predicted_share', 'residual'];
const EXIT_CONTROLLED = ['exits', 'attained', 'to_work', 'to_education', 'parental_leave', 'extended'];
const EXIT_DEPENDANTS = {
  attained: ['attained_share', 'attained_share_adjusted', 'residual'],
  parental_leave: ['attained_share_adjusted'], extended: ['extended_share'],
};
const STATUS_COLS = ['persons', 'work', 'education', 'work_or_education', 'work_or_education_share',
  'sa_recipients', 'sa_share', 'sa_total', 'sa_mean_per_recipient'];
const STATUS_CONTROLLED = ['persons', 'work', 'education', 'work_or_education', 'sa_recipients'];
const STATUS_DEPENDANTS = {
  work_or_education: ['work_or_education_share'],
  sa_recipients: ['sa_share', 'sa_total', 'sa_mean_per_recipient'],
};

const FOLLOWUP_COLS = ['persons', 'work', 'education', 'work_or_education', 'work_or_education_share',
  'sa_recipients', 'sa_share', 'moved', 'moved_share'];
const FOLLOWUP_CONTROLLED = ['persons', 'work', 'education', 'work_or_education', 'sa_recipients', 'moved'];
const FOLLOWUP_DEPENDANTS = {
  work_or_education: ['work_or_education_share'], sa_recipients: ['sa_share'], moved: ['moved_share'],
};
// followup's lines (spec 8): municipality lines vary the cohort, cohort lines
// the municipality, gender lines kjonn; visited in that order.
const FOLLOWUP_KEYS = ['kommnr', 'cohort', 'horizon', 'kjonn'];
const FOLLOWUP_LINES = ['cohort', 'kommnr', 'kjonn'];

// rows: objects with the key columns (printed strings, which compare as
// printed), the printed columns and numeric counts. Marks row.hidden (a Set
// of suppressed columns) and row.whole. keys: the key columns in print
// order; kinds: per kind of line, in visiting order, the key that varies
// (a line fixes all the others).
function disclose(rows, k, base, controlled, dependants, keys = ['kommnr', 'cohort'], kinds = ['cohort', 'kommnr']) {
  for (const r of rows) { r.hidden = new Set(); r.whole = false; }
  if (k === 0) return;
  const suppressed = (r, col) => r.whole || r.hidden.has(col);
  const hide = (r, col) => {
    if (col === base) { r.whole = true; return; }
    r.hidden.add(col);
    for (const d of dependants[col] ?? []) r.hidden.add(d);
  };
  for (const r of rows) {
    const b = r[base];
    if (b < k) { r.whole = true; continue; }
    for (const col of controlled) {
      if (col === base) continue;
      const c = r[col];
      if ((c > 0 && c < k) || (b - c > 0 && b - c < k)) hide(r, col);
    }
  }
  const cmpBy = (cols) => (a, b) => {
    for (const c of cols) if (a[c] !== b[c]) return a[c] < b[c] ? -1 : 1;
    return 0;
  };
  const byKey = cmpBy(keys);
  const group = (vary) => {
    const fixed = keys.filter((c) => c !== vary);
    const m = new Map();
    for (const r of [...rows].sort(byKey)) {
      const id = fixed.map((c) => r[c]).join('/');
      if (!m.has(id)) m.set(id, { r, members: [] });
      m.get(id).members.push(r);
    }
    return [...m.values()].sort((a, b) => cmpBy(fixed)(a.r, b.r)).map((g) => g.members);
  };
  const lines = kinds.flatMap(group);
  for (let changed = true; changed;) {
    changed = false;
    for (const col of controlled) {
      for (const line of lines) {
        if (line.filter((r) => suppressed(r, col)).length !== 1) continue;
        let pick = null;
        for (const r of line) // line is in key order: the first minimum wins ties
          if (!suppressed(r, col) && (pick === null || r[col] < pick[col])) pick = r;
        if (pick) { hide(pick, col); changed = true; }
      }
    }
  }
}

// ---- exact rationals for the cost table -------------------------------------

const SCALE = 1000000000n;
const babs = (x) => (x < 0n ? -x : x);
function roundHalfAway(num, den, decimals) {
  if (den < 0n) { num = -num; den = -den; }
  const p = 10n ** BigInt(decimals);
  const q = (2n * babs(num) * p + den) / (2n * den);
  return num < 0n ? -q : q;
}
function fmtScaled(v, decimals) {
  if (decimals === 0) return v.toString();
  const p = 10n ** BigInt(decimals);
  const sign = v < 0n ? '-' : '';
  const a = babs(v);
  return `${sign}${a / p}.${(a % p).toString().padStart(decimals, '0')}`;
}
const fmtFrac = (num, den, decimals) => (den === 0n ? '' : fmtScaled(roundHalfAway(num, den, decimals), decimals));

function costRows(base, exitByKey, R) {
  // Per year: sum over rows of total/persons as one fraction (num/den).
  const byYear = new Map();
  for (const b of base) {
    const y = byYear.get(b.year) ?? { rows: [] };
    y.rows.push(b); byYear.set(b.year, y);
  }
  const out = [];
  for (const b of base) {
    const yearRows = byYear.get(b.year).rows;
    const n = BigInt(yearRows.length);
    const index = (field) => {
      // 100 * (x_h / p_h) / ((1/n) * sum x_i / p_i) = 100 n x_h / (p_h * sum x_i / p_i)
      let sNum = 0n, sDen = 1n;
      for (const r of yearRows) { sNum = sNum * r.persons + r[field] * sDen; sDen *= r.persons; }
      if (sNum === 0n) return '';
      return fmtFrac(100n * n * b[field] * sDen, b.persons * sNum, 1);
    };
    const exitRow = exitByKey.get(`${b.kommnr}/${b.year}`);
    let perAttained = '', hidden = false;
    if (exitRow) {
      hidden = exitRow.whole || exitRow.hidden.has('attained');
      if (!hidden && exitRow.attained > 0) perAttained = fmtFrac(b.total, BigInt(exitRow.attained) * SCALE, 0);
    }
    out.push([R, b.kommnr, b.year, fmtFrac(b.total, b.persons, 0), index('total'), index('admin'),
      hidden ? '' : perAttained, hidden ? 1 : 0]);
  }
  out.sort((a, b) => (a[1] + a[2] < b[1] + b[2] ? -1 : 1));
  return out;
}

// ---- output -------------------------------------------------------------------

function toCsv(header, lines) {
  return [header.join(','), ...lines.map((l) => l.map((v) => (v === null || v === undefined ? '' : String(v))).join(','))]
    .join('\n') + '\n';
}

function printRows(rows, cols, R, keys = ['kommnr', 'cohort']) {
  return rows.map((r) => {
    const values = cols.map((c) => (r.whole || r.hidden.has(c) ? '' : (r[`${c}_text`] ?? r[c] ?? '')));
    return [R, ...keys.map((k) => r[k]), ...values, r.whole || r.hidden.size > 0 ? 1 : 0];
  });
}

async function writeOutputs(con, opts, params, files) {
  const exitRows = (await rows(con, `SELECT kommnr, cohort, exits, attained, to_work, to_education,
      attained_share, parental_leave, attained_share_adjusted, mean_duration_days, extended, extended_share,
      predicted_share, residual FROM exit_rows ORDER BY kommnr, cohort`)).map(numberCounts(EXIT_CONTROLLED));
  const statusRows = (await rows(con, `SELECT kommnr, cohort, persons, work, education, work_or_education,
      work_or_education_share, sa_recipients, sa_share, CAST(sa_total AS VARCHAR) AS sa_total_text,
      sa_mean_per_recipient FROM status_rows ORDER BY kommnr, cohort`)).map(numberCounts(STATUS_CONTROLLED));
  disclose(exitRows, opts.minCell, 'exits', EXIT_CONTROLLED, EXIT_DEPENDANTS);
  disclose(statusRows, opts.minCell, 'persons', STATUS_CONTROLLED, STATUS_DEPENDANTS);
  const followupRows = (await rows(con, `SELECT kommnr, cohort, horizon, kjonn, persons, work, education,
      work_or_education, work_or_education_share, sa_recipients, sa_share, moved, moved_share
      FROM followup_rows ORDER BY kommnr, cohort, horizon, kjonn`)).map(numberCounts(FOLLOWUP_CONTROLLED));
  disclose(followupRows, opts.minCell, 'persons', FOLLOWUP_CONTROLLED, FOLLOWUP_DEPENDANTS,
    FOLLOWUP_KEYS, FOLLOWUP_LINES);
  const exitByKey = new Map(exitRows.map((r) => [`${r.kommnr}/${r.cohort}`, r]));
  const base = (await rows(con, 'SELECT kommnr, year, total, admin, persons FROM cost_base'))
    .map((b) => ({ kommnr: b.kommnr, year: b.year, total: BigInt(b.total), admin: BigInt(b.admin), persons: BigInt(b.persons) }));
  const R = params.R;
  fs.writeFileSync(path.join(opts.out, 'exit.csv'),
    toCsv(['ref_year', 'kommnr', 'cohort', ...EXIT_COLS, 'suppressed'], printRows(exitRows, EXIT_COLS, R)));
  fs.writeFileSync(path.join(opts.out, 'status.csv'),
    toCsv(['ref_year', 'kommnr', 'cohort', ...STATUS_COLS, 'suppressed'], printRows(statusRows, STATUS_COLS, R)));
  fs.writeFileSync(path.join(opts.out, 'followup.csv'),
    toCsv(['ref_year', ...FOLLOWUP_KEYS, ...FOLLOWUP_COLS, 'suppressed'],
      printRows(followupRows, FOLLOWUP_COLS, R, FOLLOWUP_KEYS)));
  fs.writeFileSync(path.join(opts.out, 'cost.csv'),
    toCsv(['ref_year', 'kommnr', 'year', 'cost_per_person', 'cost_index', 'admin_index', 'cost_per_attained', 'suppressed'],
      costRows(base, exitByKey, R)));
  const { tables, quarantine } = await ledger(con, files);
  const [p] = await rows(con, 'SELECT * FROM person_ledger');
  const persons = Object.fromEntries(Object.entries(p).map(([k, v]) => [k, Number(v)]));
  fs.writeFileSync(path.join(opts.out, 'ledger.json'),
    JSON.stringify({ ref_year: R, cohorts: [params.FROM, params.TO], tables, persons }, null, 2) + '\n');
  fs.writeFileSync(path.join(opts.out, 'quarantine.csv'), ['file,line,column,reason', ...quarantine].join('\n') + '\n');
}

function numberCounts(cols) {
  return (r) => { for (const c of cols) r[c] = Number(r[c]); return r; };
}

main().catch((e) => fail(e.stack || e.message));
