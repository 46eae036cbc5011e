-- Pseudo-random draws for the synthetic practice generator (pipeline/synth).
-- Every draw is a hash of the seed and keys (patient number, record number, a tag),
-- so the output depends only on the arguments, never on threads or run order.

-- A uniform draw in [0, 1) from the seed and two keys; sy_u5 takes four keys.
-- DuckDB combines the hashes of several arguments weakly (draws with tags 'pain'
-- and 'pain_dx' come out correlated), so the combined hash is hashed once more.
CREATE OR REPLACE TEMP MACRO sy_u(s, a, b) AS
    (hash(hash(s, a, b)) >> 11)::DOUBLE / 9007199254740992.0;
CREATE OR REPLACE TEMP MACRO sy_u5(s, a, b, c, d) AS
    (hash(hash(s, a, b, c, d)) >> 11)::DOUBLE / 9007199254740992.0;

-- An integer in [0, n) from a uniform draw u.
CREATE OR REPLACE TEMP MACRO sy_int(u, n) AS
    least(floor(u * n)::BIGINT, greatest(n, 1)::BIGINT - 1);

-- An exponential draw (mean 1) from a uniform draw u.
CREATE OR REPLACE TEMP MACRO sy_exp(u) AS -ln(1.0 - u);

-- A day between date lo and date hi inclusive (lo when hi < lo).
CREATE OR REPLACE TEMP MACRO sy_day(u, lo, hi) AS
    lo + sy_int(u, greatest(hi - lo, 0) + 1)::INTEGER;

-- Linear interpolation of a prevalence from age 20 to age 80, flat outside.
CREATE OR REPLACE TEMP MACRO sy_by_age(age, p20, p80) AS
    p20 + (p80 - p20) * least(greatest((age - 20) / 60.0, 0.0), 1.0);

-- The coding system a practice used on day d, as its number in sy_code_slots
-- (0 readv2, 1 ctv3, 2 snomedct): its legacy system before the switch to SNOMED CT.
CREATE OR REPLACE TEMP MACRO sy_system_no(d, legacy_no, legacy_until) AS
    CASE WHEN legacy_no IS NOT NULL AND d < legacy_until THEN legacy_no ELSE 2 END;

-- Code and drug pools are joined on one integer: the pool name's hash with its low
-- ten bits cleared, plus the coding system number times the slot count, plus the
-- slot (pipeline/synth/lookups.py builds sy_code_slots and sy_drug_slots with it).
CREATE OR REPLACE TEMP MACRO sy_pool_key(pool) AS (hash(pool) >> 10) << 10;
CREATE OR REPLACE TEMP MACRO sy_slot_key(pool_key, system_no, slot) AS
    pool_key + (system_no * 240 + slot)::UBIGINT;

-- A standard normal draw from two uniform draws (Box-Muller).
CREATE OR REPLACE TEMP MACRO sy_normal(u1, u2) AS
    sqrt(-2.0 * ln(1.0 - u1)) * cos(2.0 * pi() * u2);

-- A count with the given mean (geometric: P(n >= k) = p^k, p = mean / (1 + mean))
-- from a uniform draw u; unlike floor(exponential * mean), small means keep their size.
CREATE OR REPLACE TEMP MACRO sy_count(u, mean) AS
    CASE WHEN mean <= 0 THEN 0
         ELSE floor(ln(1.0 - u) / ln(mean / (1.0 + mean)))::INTEGER END;
