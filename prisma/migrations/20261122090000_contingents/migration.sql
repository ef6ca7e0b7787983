-- Contingents: the weighted volume (volume x contingent factor) a project may use of a meter over
-- a period [valid_from, valid_to), for the whole project (compute_project_id NULL) or for one of
-- its compute projects. Months, quarters and years are calendar periods of time_zone.
CREATE TYPE contingent_period AS ENUM ('MONTH', 'QUARTER', 'YEAR', 'CUSTOM');

CREATE TABLE contingents (
  id                 serial PRIMARY KEY,
  project_id         integer NOT NULL REFERENCES projects (id),
  meter_id           integer NOT NULL REFERENCES meters (id),
  compute_project_id integer REFERENCES compute_projects (id),
  period             contingent_period NOT NULL,
  time_zone          text NOT NULL DEFAULT 'UTC',
  valid_from         timestamptz NOT NULL,
  valid_to           timestamptz NOT NULL,
  amount             numeric NOT NULL,
  description        text,
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT contingents_interval_check CHECK (valid_to > valid_from),
  -- numeric admits NaN and Infinity; NaN sorts above Infinity, so this refuses both.
  CONSTRAINT contingents_amount_check CHECK (amount >= 0 AND amount < 'Infinity'),
  -- The key that setting a contingent again without its id updates (INSERT ... ON CONFLICT).
  CONSTRAINT contingents_period_key UNIQUE NULLS NOT DISTINCT (project_id, meter_id, compute_project_id, valid_from, valid_to),
  -- Two contingents of one project, meter and compute project never overlap, whoever writes them.
  -- A whole-project contingent has no compute project: NULL = NULL is not true, so it is compared
  -- as 0, which no compute project's id is.
  CONSTRAINT contingents_no_overlap EXCLUDE USING gist (
    project_id WITH =, meter_id WITH =, (coalesce(compute_project_id, 0)) WITH =, tstzrange(valid_from, valid_to, '[)') WITH &&)
);
