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
    status VARCHAR NOT NULL DEFAULT 'active'   -- active | rolled_back
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
