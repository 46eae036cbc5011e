-- The workspace's state across runs (WORKSPACE/state.duckdb, owner-only).
-- Holds identifiers (practice_code, patient_id, NHS number): never shared as is.

-- One row per run that reached the commit step.
CREATE TABLE IF NOT EXISTS runs (
    run_id VARCHAR PRIMARY KEY,
    study VARCHAR NOT NULL,
    status VARCHAR NOT NULL,          -- committed | published | rolled_back
    started_at TIMESTAMP NOT NULL,
    committed_at TIMESTAMP,
    out_dir VARCHAR NOT NULL,         -- final run folder
    stage_dir VARCHAR NOT NULL,       -- where it was built before the atomic move
    invitations INTEGER NOT NULL DEFAULT 0,
    rolled_back_at TIMESTAMP,         -- set by `cohort rollback` (letters never sent)
    rolled_back_by VARCHAR,
    rollback_reason VARCHAR
);

-- Every invitation ever produced; a rolled-back run's rows stay, marked so.
CREATE TABLE IF NOT EXISTS ledger (
    invite_ref VARCHAR PRIMARY KEY,
    study VARCHAR NOT NULL,
    run_id VARCHAR NOT NULL,
    practice_code VARCHAR NOT NULL,
    patient_id VARCHAR NOT NULL,
    nhs_number VARCHAR,
    created_at TIMESTAMP NOT NULL,
    status VARCHAR NOT NULL DEFAULT 'active'   -- active | awaiting_screening | screened_out | rolled_back
);

-- Patients held back by a practice's capacity limit: not invited, not forgotten.
CREATE TABLE IF NOT EXISTS deferred (
    study VARCHAR NOT NULL,
    run_id VARCHAR NOT NULL,
    practice_code VARCHAR NOT NULL,
    patient_id VARCHAR NOT NULL,
    nhs_number VARCHAR,
    reason VARCHAR NOT NULL
);

-- People never to be written to again (complaints, refusals), by NHS number
-- and by practice + patient id. Removal needs a reason and is kept.
CREATE TABLE IF NOT EXISTS do_not_contact (
    practice_code VARCHAR,
    patient_id VARCHAR,
    nhs_number VARCHAR,
    reason VARCHAR NOT NULL,
    source VARCHAR,                   -- e.g. invite_ref or 'manual'
    added_at TIMESTAMP NOT NULL,
    added_by VARCHAR NOT NULL,
    removed_at TIMESTAMP,
    removed_by VARCHAR,
    removed_reason VARCHAR
);

-- What happened after an invitation.
CREATE TABLE IF NOT EXISTS outcomes (
    invite_ref VARCHAR NOT NULL,
    outcome VARCHAR NOT NULL,
    reason VARCHAR,
    recorded_at TIMESTAMP NOT NULL,
    recorded_by VARCHAR NOT NULL,
    note VARCHAR
);

-- GP screening (docs/invitations.md): for a study with `screening: required` a
-- run lists its chosen people for a GP instead of writing letters; its ledger
-- rows stay 'awaiting_screening' until `cohort release` ('active' for those the
-- GP included, 'screened_out' for the others). Older workspaces gain the
-- columns here.
ALTER TABLE runs ADD COLUMN IF NOT EXISTS screening VARCHAR;        -- awaiting | released | off | not_required
ALTER TABLE runs ADD COLUMN IF NOT EXISTS screening_reason VARCHAR; -- why screening was switched off (--reason)
ALTER TABLE runs ADD COLUMN IF NOT EXISTS released_at TIMESTAMP;
ALTER TABLE runs ADD COLUMN IF NOT EXISTS released_by VARCHAR;
ALTER TABLE runs ADD COLUMN IF NOT EXISTS release_stage VARCHAR;    -- where `cohort release` built its files

-- The GP's decision on each person a screening list named. An exclusion keeps
-- the person from being listed for this study again (copied into each run as
-- `screened_out`); it does not put them on the do-not-contact list.
CREATE TABLE IF NOT EXISTS screening_decisions (
    study VARCHAR NOT NULL,
    run_id VARCHAR NOT NULL,
    screening_ref VARCHAR NOT NULL,   -- the reference on the screening list (the letter's, if included)
    practice_code VARCHAR NOT NULL,
    patient_id VARCHAR NOT NULL,
    nhs_number VARCHAR,
    decision VARCHAR NOT NULL,        -- include | exclude
    reason VARCHAR,                   -- exclude: bereavement | serious_illness | safeguarding | in_work | other
    reason_text VARCHAR,              -- other: the GP's words (may name people: never logged)
    decided_at TIMESTAMP NOT NULL,    -- when the decisions file was imported
    imported_by VARCHAR NOT NULL,
    source_sha256 VARCHAR NOT NULL    -- sha256 of the imported file
);

-- The commit point (pipeline/journal.py): a row here, written in the same
-- transaction as a command's ledger changes, is what says they committed.
CREATE TABLE IF NOT EXISTS commits (
    intent VARCHAR PRIMARY KEY,       -- KIND-RUN_ID, the journal file's name
    kind VARCHAR NOT NULL,            -- run | release | reminder | entries
    run_id VARCHAR NOT NULL,
    committed_at TIMESTAMP NOT NULL
);
