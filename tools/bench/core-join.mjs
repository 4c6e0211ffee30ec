// core-join.mjs - the speed yardstick of `make bench`: DuckDB doing only the
// core of kohort's job on the same extract files. It reads the five person
// tables as CSV, picks each participant's latest exit, joins the home
// municipality and the status in the reference year, and groups by
// municipality and cohort: no validation, no pseudonyms, no id history, no
// code harmonisation, no disclosure control. tests/reference judges
// correctness; this only sets the pace (its counts are close to kohort's,
// not equal). Prints one JSON line: rows grouped and seconds per step.
// usage: node tools/bench/core-join.mjs EXTRACT_DIR [REF_YEAR]
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
// DuckDB's binding as the reference installed it (tools/install-duckdb.sh)
const require = createRequire(path.join(here, '../../tests/reference/package.json'));
const { DuckDBInstance } = require('@duckdb/node-api');

const [dir, refArg] = process.argv.slice(2);
if (!dir) { process.stderr.write('usage: core-join.mjs EXTRACT_DIR [REF_YEAR]\n'); process.exit(2); }
const R = Number(refArg || 2024), from = R - 7;
const csv = (name) => `read_csv('${path.join(dir, name)}', delim=';', header=true, all_varchar=true,
  ignore_errors=true, strict_mode=false, null_padding=true)`;
const date = (c) => `coalesce(try_strptime(trim(${c}), '%Y-%m-%d'), try_strptime(trim(${c}), '%Y%m%d'))::DATE`;

const db = await DuckDBInstance.create(':memory:');
const con = await db.connect();
const timing = {};
async function step(name, sql) {
  const t0 = process.hrtime.bigint();
  await con.run(sql);
  timing[name] = Number(process.hrtime.bigint() - t0) / 1e9;
}
await step('exits', `CREATE TABLE exits AS
  SELECT trim(fnr) AS fnr, arg_max(trim(sluttstatus), ${date('avgangsdato')}) AS status,
         max(${date('avgangsdato')}) AS exit_date
  FROM ${csv('f_intro.csv')}
  WHERE ${date('avgangsdato')} IS NOT NULL AND ${date('avgangsdato')} <= DATE '${R}-11-30'
  GROUP BY trim(fnr)`);
await step('cohort', `CREATE TABLE cohort AS
  SELECT fnr, status, year(exit_date) AS c FROM exits WHERE year(exit_date) BETWEEN ${from} AND ${R}`);
await step('bosatte', `CREATE TABLE bo AS
  SELECT trim(fnr) AS fnr, try_cast(aar AS INT) AS aar, trim(kommnr) AS kommnr
  FROM ${csv('bosatte.csv')} WHERE trim(fnr) IN (SELECT fnr FROM cohort)`);
await step('status', `CREATE TABLE st AS
  SELECT c.fnr, c.c, c.status, h.kommnr AS home,
         (SELECT count(*) FROM bo r WHERE r.fnr = c.fnr AND r.aar = ${R} AND r.kommnr = h.kommnr) > 0 AS resident,
         c.fnr IN (SELECT trim(fnr) FROM ${csv('f_jobber.csv')}
                   WHERE ${date('startdato')} <= DATE '${R}-12-31'
                     AND (trim(sluttdato) = '' OR sluttdato IS NULL OR ${date('sluttdato')} >= DATE '${R}-01-01')) AS work,
         c.fnr IN (SELECT trim(fnr) FROM ${csv('utdanning.csv')}
                   WHERE try_cast(aar AS INT) = ${R} AND substr(trim(nus2000), 1, 1) BETWEEN '3' AND '8') AS edu,
         coalesce((SELECT sum(try_cast(belop AS BIGINT)) FROM ${csv('shj.csv')} s
                   WHERE trim(s.fnr) = c.fnr AND try_cast(s.aar AS INT) = ${R}), 0) AS sa
  FROM cohort c JOIN bo h ON h.fnr = c.fnr AND h.aar = c.c`);
await step('group', `CREATE TABLE out AS
  SELECT home, c, count(*) AS exits,
         count(*) FILTER (WHERE status IN ('10','11','20','21','30')) AS attained,
         count(*) FILTER (WHERE resident) AS persons,
         count(*) FILTER (WHERE resident AND (work OR edu)) AS work_or_education,
         count(*) FILTER (WHERE resident AND sa > 0) AS sa_recipients
  FROM st GROUP BY GROUPING SETS ((home, c), (home), (c), ())`);
const rows = (await (await con.runAndReadAll('SELECT count(*) FROM out')).getRows())[0][0];
process.stdout.write(JSON.stringify({ rows: Number(rows), seconds: timing }) + '\n');
