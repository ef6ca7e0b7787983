-- API keys: the secret is never stored, only its SHA-256; the id is public and finds the key.
CREATE TYPE api_role AS ENUM ('ADMIN', 'REPORTER', 'READER');

CREATE TABLE api_keys (
  id          text PRIMARY KEY,
  secret_hash bytea NOT NULL,
  role        api_role NOT NULL,
  -- The projects (by name) the key may report for or read; empty: every project.
  projects    text[] NOT NULL DEFAULT '{}',
  description text,
  created_at  timestamptz NOT NULL DEFAULT now(),
  revoked_at  timestamptz
);
