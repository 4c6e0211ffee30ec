-- indicators.sql - spec/indicators.md sections 1-6 in SQL (reference oracle).
--
-- Input: the linked tables of link.sql; placeholders {{R}}, {{FROM}}, {{TO}}.
-- Output: exit_rows, status_rows (exact counts plus printed values rounded
-- once with HUGEINT arithmetic), cost_base (exact sums for the runner's
-- rational cost index), person_ledger. Disclosure control is in the runner.

-- 1.2, 1.3: exits up to 30 November of R, then the latest one per person.
CREATE OR REPLACE TABLE latest_exit AS
    SELECT * EXCLUDE (rn) FROM (
        SELECT *, row_number() OVER (PARTITION BY pid
                   ORDER BY avgangsdato DESC, startdato DESC, line ASC) AS rn
        FROM p_f_intro
        WHERE avgangsdato IS NOT NULL AND avgangsdato <= make_date({{R}}, 11, 30))
    WHERE rn = 1;

-- 1.4: the cohort window.
CREATE OR REPLACE TABLE cohort_person AS
    SELECT *, CAST(year(avgangsdato) AS INTEGER) AS cohort FROM latest_exit
    WHERE year(avgangsdato) BETWEEN {{FROM}} AND {{TO}};

-- Residence rows with their municipality carried forward (NULL: no single successor).
CREATE OR REPLACE TABLE res AS
    SELECT b.pid, b.aar, b.kommnr,
           CASE WHEN k.code IS NULL THEN b.kommnr ELSE k.code_r END AS kommnr_r
    FROM a_bosatte b LEFT JOIN kmap k ON k.code = b.kommnr;

-- 1.5, 1.6: home municipality on 1 January of C.
CREATE OR REPLACE TABLE homed AS
    SELECT c.*, r.pid IS NOT NULL AS has_home, r.kommnr_r AS home
    FROM cohort_person c LEFT JOIN res r ON r.pid = c.pid AND r.aar = c.cohort;

CREATE OR REPLACE TABLE person_ledger AS
    SELECT (SELECT count(*) FROM scope) AS participants,
           count(*) FILTER (WHERE home IS NOT NULL) AS placed,
           count(*) FILTER (WHERE NOT has_home) AS no_home,
           count(*) FILTER (WHERE has_home AND home IS NULL) AS ambiguous_kommune
    FROM homed;

-- Reference figures: monitor shares (exact match only), the (*,*) average,
-- national attainment per year; all scaled by 10^9.
CREATE OR REPLACE TABLE monitor AS
    SELECT landbakgrunn, kjonn, andel FROM v_ref_monitor
    WHERE reason IS NULL AND line NOT IN (SELECT line FROM dup_ref_monitor);
CREATE OR REPLACE TABLE monitor_all AS
    SELECT (SELECT andel FROM monitor WHERE landbakgrunn = '*' AND kjonn = '*') AS astar;
CREATE OR REPLACE TABLE national AS
    SELECT aar, andel FROM v_ref_nasjonal
    WHERE reason IS NULL AND line NOT IN (SELECT line FROM dup_ref_nasjonal);

-- One row per placed person with everything the tables count.
CREATE OR REPLACE TABLE person_facts AS
    SELECT h.pid, h.home, h.cohort, h.sluttstatus,
           h.avgangsdato - h.startdato AS duration_days,
           h.avgangsdato > CAST(h.startdato + INTERVAL 2 YEAR AS DATE) AS extended,
           -- r = andel(l, k) / andel(*, *): the numerator, with andel(*, *) as r = 1.
           coalesce(m.andel, ma.astar) AS r_num,
           n.andel AS national,
           EXISTS (SELECT 1 FROM res r WHERE r.pid = h.pid AND r.aar = {{R}}
                   AND r.kommnr_r = h.home) AS resident,
           EXISTS (SELECT 1 FROM p_f_jobber j WHERE j.pid = h.pid
                   AND j.startdato <= make_date({{R}}, 12, 31)
                   AND (j.sluttdato IS NULL OR j.sluttdato >= make_date({{R}}, 1, 1))) AS in_work,
           EXISTS (SELECT 1 FROM p_utdanning u WHERE u.pid = h.pid AND u.aar = {{R}}
                   AND substr(u.nus2000, 1, 1) BETWEEN '3' AND '8') AS in_education,
           coalesce((SELECT sum(s.belop) FROM p_shj s WHERE s.pid = h.pid AND s.aar = {{R}}), 0) AS sa_amount
    FROM homed h
    CROSS JOIN monitor_all ma
    LEFT JOIN a_befolkning b ON b.pid = h.pid
    LEFT JOIN monitor m ON m.landbakgrunn = b.landbakgrunn AND m.kjonn = b.kjonn
    LEFT JOIN national n ON n.aar = h.cohort
    WHERE h.home IS NOT NULL;

-- 2, 4, 6: table exit with its totals rows.
CREATE OR REPLACE TABLE exit_counts AS
    SELECT CASE WHEN grouping(home) = 1 THEN '0000' ELSE home END AS kommnr,
           CASE WHEN grouping(cohort) = 1 THEN '0000' ELSE lpad(CAST(cohort AS VARCHAR), 4, '0') END AS cohort,
           count(*) AS exits,
           count(*) FILTER (WHERE sluttstatus IN ('10', '11', '20', '21', '30')) AS attained,
           count(*) FILTER (WHERE sluttstatus IN ('10', '11', '30')) AS to_work,
           count(*) FILTER (WHERE sluttstatus IN ('20', '21', '30')) AS to_education,
           count(*) FILTER (WHERE sluttstatus = '60') AS parental_leave,
           CAST(sum(duration_days) AS HUGEINT) AS duration_sum,
           count(*) FILTER (WHERE extended) AS extended,
           CAST(sum(CAST(r_num AS HUGEINT) * national) AS HUGEINT) AS pred_num,
           bool_and(national IS NOT NULL) AS national_known
    FROM person_facts
    GROUP BY GROUPING SETS ((home, cohort), (home), (cohort), ());

-- predicted = min(1, N / D) with N = sum r_num * national and
-- D = astar * 10^9 * exits; residual = attained / exits - predicted.
CREATE OR REPLACE TABLE exit_rows AS
    SELECT e.*,
           kh_fmt_frac(attained, exits, 4) AS attained_share,
           kh_fmt_frac(attained, exits - parental_leave, 4) AS attained_share_adjusted,
           kh_fmt_frac(duration_sum, exits, 1) AS mean_duration_days,
           kh_fmt_frac(extended, exits, 4) AS extended_share,
           CASE WHEN pred_ok THEN
               CASE WHEN pred_num >= pred_den THEN '1.0000' ELSE kh_fmt_frac(pred_num, pred_den, 4) END
           END AS predicted_share,
           CASE WHEN pred_ok THEN
               CASE WHEN pred_num >= pred_den THEN kh_fmt_frac(attained - exits, exits, 4)
                    ELSE kh_fmt_frac(attained * pred_den - pred_num * exits, exits * pred_den, 4) END
           END AS residual
    FROM (SELECT c.*,
                 ma.astar IS NOT NULL AND ma.astar > 0 AND c.national_known AS pred_ok,
                 CAST(ma.astar AS HUGEINT) * 1000000000 * c.exits AS pred_den
          FROM exit_counts c CROSS JOIN monitor_all ma) e;

-- 3, 6: table status, persons still living in H on 1 January of R.
CREATE OR REPLACE TABLE status_rows AS
    SELECT *,
           kh_fmt_frac(work_or_education, persons, 4) AS work_or_education_share,
           kh_fmt_frac(sa_recipients, persons, 4) AS sa_share,
           CASE WHEN sa_recipients > 0 THEN CAST(sa_total AS VARCHAR) ELSE '0' END AS sa_total_text,
           kh_fmt_frac(sa_total, sa_recipients, 0) AS sa_mean_per_recipient
    FROM (SELECT CASE WHEN grouping(home) = 1 THEN '0000' ELSE home END AS kommnr,
                 CASE WHEN grouping(cohort) = 1 THEN '0000' ELSE lpad(CAST(cohort AS VARCHAR), 4, '0') END AS cohort,
                 count(*) AS persons,
                 count(*) FILTER (WHERE in_work) AS work,
                 count(*) FILTER (WHERE in_education) AS education,
                 count(*) FILTER (WHERE in_work OR in_education) AS work_or_education,
                 count(*) FILTER (WHERE sa_amount > 0) AS sa_recipients,
                 CAST(sum(sa_amount) AS HUGEINT) AS sa_total
          FROM person_facts WHERE resident
          GROUP BY GROUPING SETS ((home, cohort), (home), (cohort), ()));

-- 5: spending rows of the window's years, codes carried forward and summed;
-- a code without a single successor is left out.
CREATE OR REPLACE TABLE cost_base AS
    SELECT kommnr_r AS kommnr, lpad(CAST(aar AS VARCHAR), 4, '0') AS year,
           CAST(sum(utgifter_totalt) AS VARCHAR) AS total,
           CAST(sum(utgifter_admin) AS VARCHAR) AS admin,
           CAST(sum(personer_malgruppe) AS VARCHAR) AS persons
    FROM (SELECT v.*, CASE WHEN k.code IS NULL THEN v.kommnr ELSE k.code_r END AS kommnr_r
          FROM v_ref_kostnader v LEFT JOIN kmap k ON k.code = v.kommnr
          WHERE v.reason IS NULL AND v.line NOT IN (SELECT line FROM dup_ref_kostnader)
            AND v.aar BETWEEN {{FROM}} AND {{TO}})
    WHERE kommnr_r IS NOT NULL
    GROUP BY kommnr_r, aar;

-- 8: table followup. Per placed person and horizon h in (1, 2, 5) with the
-- status year Y = C + h <= R: counted only with a bosatte row for Y (any
-- municipality, a_bosatte is one row per person and year); moved when that
-- row's carried-forward code is not H (NULL, a split code, counts as moved);
-- work = a job overlapping November of Y; education = level 3-8 for Y;
-- assistance = summed shj for Y above 0; kjonn 9 without a befolkning row.
CREATE OR REPLACE TABLE followup_facts AS
    SELECT h.pid, h.home, h.cohort, hz.h AS horizon,
           CASE WHEN CAST(b.kjonn AS VARCHAR) IN ('1', '2') THEN CAST(b.kjonn AS VARCHAR) ELSE '9' END AS kjonn,
           r.kommnr_r IS NULL OR r.kommnr_r <> h.home AS moved,
           EXISTS (SELECT 1 FROM p_f_jobber j WHERE j.pid = h.pid
                   AND j.startdato <= make_date(h.cohort + hz.h, 11, 30)
                   AND (j.sluttdato IS NULL OR j.sluttdato >= make_date(h.cohort + hz.h, 11, 1))) AS in_work,
           EXISTS (SELECT 1 FROM p_utdanning u WHERE u.pid = h.pid AND u.aar = h.cohort + hz.h
                   AND substr(u.nus2000, 1, 1) BETWEEN '3' AND '8') AS in_education,
           coalesce((SELECT sum(s.belop) FROM p_shj s WHERE s.pid = h.pid AND s.aar = h.cohort + hz.h), 0) AS sa_amount
    FROM homed h
    CROSS JOIN (VALUES (1), (2), (5)) hz(h)
    JOIN res r ON r.pid = h.pid AND r.aar = h.cohort + hz.h
    LEFT JOIN a_befolkning b ON b.pid = h.pid
    WHERE h.home IS NOT NULL AND h.cohort + hz.h <= {{R}};

-- Totals along municipality, cohort and kjonn and every combination; the
-- horizon is always grouped (it has no total).
CREATE OR REPLACE TABLE followup_rows AS
    SELECT *,
           kh_fmt_frac(work_or_education, persons, 4) AS work_or_education_share,
           kh_fmt_frac(sa_recipients, persons, 4) AS sa_share,
           kh_fmt_frac(moved, persons, 4) AS moved_share
    FROM (SELECT CASE WHEN grouping(home) = 1 THEN '0000' ELSE home END AS kommnr,
                 CASE WHEN grouping(cohort) = 1 THEN '0000' ELSE lpad(CAST(cohort AS VARCHAR), 4, '0') END AS cohort,
                 CAST(horizon AS VARCHAR) AS horizon,
                 CASE WHEN grouping(kjonn) = 1 THEN '0' ELSE kjonn END AS kjonn,
                 count(*) AS persons,
                 count(*) FILTER (WHERE in_work) AS work,
                 count(*) FILTER (WHERE in_education) AS education,
                 count(*) FILTER (WHERE in_work OR in_education) AS work_or_education,
                 count(*) FILTER (WHERE sa_amount > 0) AS sa_recipients,
                 count(*) FILTER (WHERE moved) AS moved
          FROM followup_facts
          GROUP BY horizon, CUBE (home, cohort, kjonn));
