-- link.sql - the linker's judgement in SQL (reference oracle): identity
-- chains and cycles, people in scope, duplicates of people and of reference
-- keys, and municipality codes carried forward to 1 January of R.
-- Run section by section by reference.mjs ({{R}} is the reference year);
-- pointer jumping over `jmp` is driven from the runner (a few set-based steps).

-- @section ih_base
-- id_historikk is judged on raw ids: first duplicates of an old id, then cycles.
CREATE OR REPLACE TABLE ih_ok AS
    SELECT line, gammelt_id AS old, nytt_id AS new FROM v_id_historikk WHERE reason IS NULL;
CREATE OR REPLACE TABLE ih_dup AS
    SELECT line FROM (SELECT line, row_number() OVER (PARTITION BY old ORDER BY line) AS rn FROM ih_ok)
    WHERE rn > 1;
CREATE OR REPLACE TABLE ih_edges AS
    SELECT line, old, new FROM ih_ok WHERE line NOT IN (SELECT line FROM ih_dup);

-- @section ih_cycles
-- After enough jumps every node sits on a cycle or at a terminal (a fixed
-- point without an edge of its own): an edge lies on a cycle exactly when its
-- old id is in that image.
CREATE OR REPLACE TABLE ih_cyc AS
    SELECT line FROM ih_edges WHERE old IN (SELECT succ FROM jmp);
CREATE OR REPLACE TABLE ih_acyc AS
    SELECT * FROM ih_edges WHERE line NOT IN (SELECT line FROM ih_cyc);

-- @section ih_map
-- With cycle rows gone the graph is a forest; the end of each chain is the
-- newest id, the person's identity.
CREATE OR REPLACE TABLE idmap AS SELECT node AS old, succ AS pid FROM jmp WHERE node <> succ;

-- @section scope
CREATE OR REPLACE TABLE p_f_intro AS
    SELECT v.line, coalesce(m.pid, v.fnr) AS pid, v.startdato, v.avgangsdato, v.sluttstatus
    FROM v_f_intro v LEFT JOIN idmap m ON m.old = v.fnr WHERE v.reason IS NULL;
CREATE OR REPLACE TABLE scope AS SELECT DISTINCT pid FROM p_f_intro;

-- Every accepted personal row with its resolved person and scope.
CREATE OR REPLACE TABLE p_bosatte AS
    SELECT v.line, coalesce(m.pid, v.fnr) AS pid, v.aar, v.kommnr
    FROM v_bosatte v LEFT JOIN idmap m ON m.old = v.fnr WHERE v.reason IS NULL;
CREATE OR REPLACE TABLE p_shj AS
    SELECT v.line, coalesce(m.pid, v.fnr) AS pid, v.aar, v.belop
    FROM v_shj v LEFT JOIN idmap m ON m.old = v.fnr WHERE v.reason IS NULL;
CREATE OR REPLACE TABLE p_utdanning AS
    SELECT v.line, coalesce(m.pid, v.fnr) AS pid, v.aar, v.nus2000
    FROM v_utdanning v LEFT JOIN idmap m ON m.old = v.fnr WHERE v.reason IS NULL;
CREATE OR REPLACE TABLE p_f_jobber AS
    SELECT v.line, coalesce(m.pid, v.fnr) AS pid, v.startdato, v.sluttdato
    FROM v_f_jobber v LEFT JOIN idmap m ON m.old = v.fnr WHERE v.reason IS NULL;
CREATE OR REPLACE TABLE p_befolkning AS
    SELECT v.line, coalesce(m.pid, v.fnr) AS pid, v.kjonn, v.landbakgrunn
    FROM v_befolkning v LEFT JOIN idmap m ON m.old = v.fnr WHERE v.reason IS NULL;
CREATE OR REPLACE TABLE p_id_historikk AS
    SELECT e.line, coalesce(m.pid, e.new) AS pid
    FROM (SELECT * FROM ih_edges WHERE line NOT IN (SELECT line FROM ih_cyc)) e
    LEFT JOIN idmap m ON m.old = e.new;

-- Duplicates of people are judged only in scope, on the resolved person.
CREATE OR REPLACE TABLE dup_bosatte AS
    SELECT line FROM (
        SELECT line, row_number() OVER (PARTITION BY pid, aar ORDER BY line) AS rn
        FROM p_bosatte WHERE pid IN (SELECT pid FROM scope)) WHERE rn > 1;
CREATE OR REPLACE TABLE dup_befolkning AS
    SELECT line FROM (
        SELECT line, row_number() OVER (PARTITION BY pid ORDER BY line) AS rn
        FROM p_befolkning WHERE pid IN (SELECT pid FROM scope)) WHERE rn > 1;

-- Reference tables: a second row for the same key is a duplicate.
CREATE OR REPLACE TABLE dup_ref_monitor AS
    SELECT line FROM (SELECT line, row_number() OVER (PARTITION BY landbakgrunn, kjonn ORDER BY line) AS rn
        FROM v_ref_monitor WHERE reason IS NULL) WHERE rn > 1;
CREATE OR REPLACE TABLE dup_ref_nasjonal AS
    SELECT line FROM (SELECT line, row_number() OVER (PARTITION BY aar ORDER BY line) AS rn
        FROM v_ref_nasjonal WHERE reason IS NULL) WHERE rn > 1;
CREATE OR REPLACE TABLE dup_ref_kostnader AS
    SELECT line FROM (SELECT line, row_number() OVER (PARTITION BY kommnr, aar ORDER BY line) AS rn
        FROM v_ref_kostnader WHERE reason IS NULL) WHERE rn > 1;
CREATE OR REPLACE TABLE dup_ref_kommuneendringer AS
    SELECT line FROM (SELECT line, row_number() OVER (PARTITION BY gammel, ny ORDER BY line) AS rn
        FROM v_ref_kommuneendringer WHERE reason IS NULL) WHERE rn > 1;
CREATE OR REPLACE TABLE dup_ref_kommunenavn AS
    SELECT line FROM (SELECT line, row_number() OVER (PARTITION BY kommnr ORDER BY line) AS rn
        FROM v_ref_kommunenavn WHERE reason IS NULL) WHERE rn > 1;

-- Accepted, deduplicated views the indicators use (in scope only).
CREATE OR REPLACE TABLE a_bosatte AS
    SELECT * FROM p_bosatte WHERE pid IN (SELECT pid FROM scope)
      AND line NOT IN (SELECT line FROM dup_bosatte);
CREATE OR REPLACE TABLE a_befolkning AS
    SELECT * FROM p_befolkning WHERE pid IN (SELECT pid FROM scope)
      AND line NOT IN (SELECT line FROM dup_befolkning);

-- @section kommune_edges
-- Changes in force on 1 January of R; a change onto itself is ignored.
CREATE OR REPLACE TABLE ke_edges AS
    SELECT DISTINCT gammel AS old, ny AS new FROM v_ref_kommuneendringer
    WHERE reason IS NULL AND gammel <> ny AND dato <= make_date({{R}}, 1, 1)
      AND line NOT IN (SELECT line FROM dup_ref_kommuneendringer);
-- A split code gets the successor '?', which is its own fixed point: any
-- chain through a split ends there.
CREATE OR REPLACE TABLE ke_next AS
    SELECT old, CASE WHEN count(*) > 1 THEN '?' ELSE min(new) END AS new
    FROM ke_edges GROUP BY old;
CREATE OR REPLACE TABLE ke_jump_edges AS
    SELECT old, new FROM ke_next
    UNION ALL SELECT '?', '?' WHERE EXISTS (SELECT 1 FROM ke_next WHERE new = '?');

-- @section kommune_map
-- A chain that ends on a code that still has a change of its own ran into a
-- cycle: no single successor, like a split.
CREATE OR REPLACE TABLE kmap AS
    SELECT node AS code,
           CASE WHEN succ = '?' OR succ IN (SELECT old FROM ke_next) THEN NULL ELSE succ END AS code_r
    FROM jmp WHERE node IN (SELECT old FROM ke_next);
-- Carried code of every code seen: kmap's code_r (NULL = split or cycle),
-- else the code itself (see indicators.sql's LEFT JOINs).
