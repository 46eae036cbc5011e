-- Reminder letters (`cohort remind RUN_ID`), kept in the workspace state beside the
-- ledger: one row per reminder batch and one per letter in it. A batch is
-- 'committed' in one transaction with its letters, then 'published' once its
-- folder is moved into place (a later `cohort remind` finishes that after a crash).
CREATE TABLE IF NOT EXISTS reminders (
    reminder_id VARCHAR PRIMARY KEY,
    run_id VARCHAR NOT NULL,
    study VARCHAR NOT NULL,
    status VARCHAR NOT NULL,          -- committed | published
    first_letter_date DATE NOT NULL,  -- the date on the run's letters
    letter_date DATE NOT NULL,        -- the date on the reminders
    after_weeks INTEGER NOT NULL,
    letters INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL,
    created_by VARCHAR NOT NULL,
    stage_dir VARCHAR NOT NULL,
    out_dir VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS reminder_letters (
    reminder_id VARCHAR NOT NULL,
    invite_ref VARCHAR NOT NULL
);
