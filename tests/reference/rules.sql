-- rules.sql - row rules of spec/extracts.md as DuckDB macros (reference oracle).
--
-- Used by tests/reference/reference.mjs, which builds one validating SELECT
-- per extract file from these macros in the file's header order. Every
-- *_reason macro returns NULL when the value passes, else the stable reason
-- code of spec/extracts.md. Values arrive trimmed, unquoted and non-empty.

-- Digit i (1-based) of an all-digit string.
CREATE OR REPLACE MACRO kh_dig(s, i) AS ascii(substr(s, i, 1)) - 48;

-- Weighted sums of the national id's check digits (k1 over 9, k2 over 10).
CREATE OR REPLACE MACRO kh_id_s1(s) AS
    3 * kh_dig(s, 1) + 7 * kh_dig(s, 2) + 6 * kh_dig(s, 3) + 1 * kh_dig(s, 4)
  + 8 * kh_dig(s, 5) + 9 * kh_dig(s, 6) + 4 * kh_dig(s, 7) + 5 * kh_dig(s, 8)
  + 2 * kh_dig(s, 9);
CREATE OR REPLACE MACRO kh_id_s2(s) AS
    5 * kh_dig(s, 1) + 4 * kh_dig(s, 2) + 3 * kh_dig(s, 3) + 2 * kh_dig(s, 4)
  + 7 * kh_dig(s, 5) + 6 * kh_dig(s, 6) + 5 * kh_dig(s, 7) + 4 * kh_dig(s, 8)
  + 3 * kh_dig(s, 9) + 2 * kh_dig(s, 10);

-- "11 - sum mod 11, 11 gives 0, 10 invalid" is the same as (sum + digit) mod
-- 11 = 0 with a digit 0..9; the 2032 rule widens k1 to remainders 0..3.
CREATE OR REPLACE MACRO kh_id_check_ok(s, rule2032) AS
    (CASE WHEN rule2032 THEN (kh_id_s1(s) + kh_dig(s, 10)) % 11 <= 3
          ELSE (kh_id_s1(s) + kh_dig(s, 10)) % 11 = 0 END)
    AND (kh_id_s2(s) + kh_dig(s, 11)) % 11 = 0;

-- Day of a D-number is + 40; month of a synthetic number is + 80.
CREATE OR REPLACE MACRO kh_id_day(s) AS
    (kh_dig(s, 1) * 10 + kh_dig(s, 2)) - CASE WHEN kh_dig(s, 1) >= 4 THEN 40 ELSE 0 END;
CREATE OR REPLACE MACRO kh_id_month_raw(s) AS kh_dig(s, 3) * 10 + kh_dig(s, 4);

-- Days in month m of a two-digit year: 29 February exists when some century
-- makes yy a leap year, i.e. yy divisible by 4 (00 -> 2000).
CREATE OR REPLACE MACRO kh_days_in(m, yy) AS CASE
    WHEN m = 2 THEN CASE WHEN yy % 4 = 0 THEN 29 ELSE 28 END
    WHEN m IN (4, 6, 9, 11) THEN 30 ELSE 31 END;

CREATE OR REPLACE MACRO kh_id_reason(s, allow_syn, rule2032) AS CASE
    WHEN NOT regexp_full_match(s, '[0-9]{11}') THEN 'id_format'
    WHEN NOT kh_id_check_ok(s, rule2032) THEN 'id_check_digit'
    WHEN kh_dig(s, 1) >= 8 THEN 'id_fh_number'
    WHEN kh_id_month_raw(s) BETWEEN 41 AND 52 THEN 'id_h_number'
    WHEN kh_id_month_raw(s) BETWEEN 81 AND 92 AND NOT allow_syn THEN 'id_synthetic'
    WHEN NOT (kh_id_month_raw(s) BETWEEN 1 AND 12 OR kh_id_month_raw(s) BETWEEN 81 AND 92)
        THEN 'id_date'
    WHEN kh_id_day(s) < 1
      OR kh_id_day(s) > kh_days_in(kh_id_month_raw(s) % 40, kh_dig(s, 5) * 10 + kh_dig(s, 6))
        THEN 'id_date'
    ELSE NULL END;

-- YYYY-MM-DD or YYYYMMDD, a real calendar day; NULL otherwise.
CREATE OR REPLACE MACRO kh_date(s) AS CASE
    WHEN regexp_full_match(s, '[0-9]{4}-[0-9]{2}-[0-9]{2}') THEN try_cast(s AS DATE)
    WHEN regexp_full_match(s, '[0-9]{8}')
        THEN try_cast(substr(s, 1, 4) || '-' || substr(s, 5, 2) || '-' || substr(s, 7, 2) AS DATE)
    ELSE NULL END;
CREATE OR REPLACE MACRO kh_date_reason(s) AS
    CASE WHEN kh_date(s) IS NULL THEN 'bad_date' ELSE NULL END;

CREATE OR REPLACE MACRO kh_year_reason(s) AS CASE
    WHEN regexp_full_match(s, '[0-9]{4}') AND CAST(s AS INTEGER) BETWEEN 1900 AND 2100 THEN NULL
    ELSE 'bad_year' END;

CREATE OR REPLACE MACRO kh_kommnr_reason(s) AS CASE
    WHEN regexp_full_match(s, '[0-9]{4}') AND s <> '0000' THEN NULL
    ELSE 'bad_kommnr' END;

CREATE OR REPLACE MACRO kh_status_reason(s) AS CASE
    WHEN s IN ('10', '11', '20', '21', '22', '30', '40', '50', '60', '70', '90') THEN NULL
    ELSE 'unknown_status' END;

-- Whole NOK >= 0; at most 30 digits, of which at most 9 significant (a
-- billion NOK or more is no social assistance; kohort keeps sums in 64 bits).
CREATE OR REPLACE MACRO kh_nok_reason(s) AS
    CASE WHEN regexp_full_match(s, '[0-9]{1,30}') AND length(ltrim(s, '0')) <= 9 THEN NULL
    ELSE 'bad_amount' END;

CREATE OR REPLACE MACRO kh_nus_reason(s) AS
    CASE WHEN regexp_full_match(s, '[0-9]{6}') THEN NULL ELSE 'bad_nus' END;

-- Organisation number: (weighted sum + check digit) mod 11 = 0, see kh_id_check_ok.
CREATE OR REPLACE MACRO kh_orgnr_reason(s) AS CASE
    WHEN NOT regexp_full_match(s, '[0-9]{9}') THEN 'bad_orgnr'
    WHEN (3 * kh_dig(s, 1) + 2 * kh_dig(s, 2) + 7 * kh_dig(s, 3) + 6 * kh_dig(s, 4)
        + 5 * kh_dig(s, 5) + 4 * kh_dig(s, 6) + 3 * kh_dig(s, 7) + 2 * kh_dig(s, 8)
        + kh_dig(s, 9)) % 11 <> 0 THEN 'bad_orgnr'
    ELSE NULL END;

CREATE OR REPLACE MACRO kh_kjonn_reason(s) AS
    CASE WHEN s IN ('1', '2') THEN NULL ELSE 'bad_kjonn' END;
CREATE OR REPLACE MACRO kh_landbakgrunn_reason(s) AS
    CASE WHEN regexp_full_match(s, '[0-9]{3}') THEN NULL ELSE 'bad_landbakgrunn' END;
-- ref_monitor allows the wildcard `*` in either key column.
CREATE OR REPLACE MACRO kh_mon_land_reason(s) AS
    CASE WHEN s = '*' OR regexp_full_match(s, '[0-9]{3}') THEN NULL ELSE 'bad_landbakgrunn' END;
CREATE OR REPLACE MACRO kh_mon_kjonn_reason(s) AS
    CASE WHEN s IN ('1', '2', '*') THEN NULL ELSE 'bad_kjonn' END;

-- Non-negative decimal: digits, optionally one `.` or `,` with digits on both
-- sides. Held as an integer scaled by 10^9 (exact up to nine decimals; more
-- decimals are truncated, see tests/reference/README.md).
CREATE OR REPLACE MACRO kh_dec_ok(s) AS regexp_full_match(s, '[0-9]{1,20}([.,][0-9]+)?');
CREATE OR REPLACE MACRO kh_dec9(s) AS
    CAST(regexp_extract(s, '^([0-9]+)', 1) AS HUGEINT) * 1000000000
  + CAST(rpad(left(regexp_extract(s, '[.,]([0-9]+)$', 1), 9), 9, '0') AS HUGEINT);
-- Spending of 10^14 NOK or more is out of range (kohort's cost figures stay
-- in 64 bits). The same bound on spending per person (utgifter /
-- personer_malgruppe) is a cross-column rule of kohort not modelled here.
CREATE OR REPLACE MACRO kh_amount_reason(s) AS
    CASE WHEN kh_dec_ok(s) AND length(ltrim(regexp_extract(s, '^([0-9]+)', 1), '0')) <= 14
    THEN NULL ELSE 'bad_amount' END;
CREATE OR REPLACE MACRO kh_persons_reason(s) AS CASE
    WHEN NOT kh_dec_ok(s) THEN 'bad_amount'
    WHEN NOT regexp_matches(s, '[1-9]') THEN 'zero_persons'
    ELSE NULL END;
-- A share above 1 is rejected, judged on all its digits (not the truncation).
CREATE OR REPLACE MACRO kh_share_reason(s) AS CASE
    WHEN NOT kh_dec_ok(s) THEN 'bad_share'
    WHEN CAST(regexp_extract(s, '^([0-9]+)', 1) AS HUGEINT) > 1 THEN 'bad_share'
    WHEN CAST(regexp_extract(s, '^([0-9]+)', 1) AS HUGEINT) = 1
     AND regexp_matches(regexp_extract(s, '[.,]([0-9]+)$', 1), '[1-9]') THEN 'bad_share'
    ELSE NULL END;

-- ref_kommunenavn's navn: 1 to 100 characters (code points; the value is
-- trimmed and not empty here), no control character (C0, DEL, C1), no run
-- of 11 digits (it may be a national id, and names are stored as given).
CREATE OR REPLACE MACRO kh_navn_reason(s) AS CASE
    WHEN length(s) > 100 THEN 'bad_name'
    WHEN regexp_matches(s, '[\x00-\x1f\x7f-\x9f]') THEN 'bad_name'
    WHEN regexp_matches(s, '[0-9]{11}') THEN 'bad_name'
    ELSE NULL END;

-- Round a non-negative-denominator fraction half away from zero to `ndec`
-- decimals, as a scaled integer; exact HUGEINT arithmetic.
CREATE OR REPLACE MACRO kh_round_scaled(num, den, ndec) AS
    sign(num) * ((2 * abs(CAST(num AS HUGEINT)) * CAST(pow(10, ndec) AS HUGEINT) + den) // (2 * CAST(den AS HUGEINT)));

-- Print a scaled integer with `ndec` decimals; never prints a negative zero.
CREATE OR REPLACE MACRO kh_fmt_scaled(v, ndec) AS CASE
    WHEN v IS NULL THEN NULL
    WHEN ndec = 0 THEN CAST(v AS VARCHAR)
    ELSE (CASE WHEN v < 0 THEN '-' ELSE '' END)
        || CAST(abs(v) // CAST(pow(10, ndec) AS HUGEINT) AS VARCHAR) || '.'
        || lpad(CAST(abs(v) % CAST(pow(10, ndec) AS HUGEINT) AS VARCHAR), ndec, '0') END;

-- A fraction printed rounded; empty (NULL) when the denominator is 0.
CREATE OR REPLACE MACRO kh_fmt_frac(num, den, ndec) AS CASE
    WHEN den IS NULL OR den = 0 OR num IS NULL THEN NULL
    ELSE kh_fmt_scaled(kh_round_scaled(num, den, ndec), ndec) END;
