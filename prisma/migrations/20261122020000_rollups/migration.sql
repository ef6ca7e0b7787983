-- Pre-aggregated usage: composable aggregates per hour (UTC), and per day and month of each time
-- zone in usage_rollup_zones, by every dimension but the resource. Statistics read them when a
-- query's shape and periods align with them and none of its hours is dirty; results are the same
-- as from events (test/integration/rollups.test.ts compares both on random queries).
CREATE TABLE usage_rollups (
  id                 bigserial PRIMARY KEY,
  grain              text NOT NULL CHECK (grain IN ('hour', 'day', 'month')),
  time_zone          text NOT NULL,
  bucket_start       timestamptz NOT NULL,
  meter_id           integer NOT NULL REFERENCES meters (id),
  project_id         integer NOT NULL REFERENCES projects (id),
  compute_project_id integer REFERENCES compute_projects (id),
  user_id            integer REFERENCES users (id),
  source_id          integer NOT NULL REFERENCES sources (id),
  partition          text,
  priority           text,
  discrete           boolean NOT NULL,
  count              bigint NOT NULL,
  operations         bigint NOT NULL,
  sum                numeric NOT NULL,
  sum_squares        numeric NOT NULL,
  min                double precision NOT NULL,
  max                double precision NOT NULL,
  weighted_sum       numeric NOT NULL,
  duration_sum       numeric,
  duration_count     bigint NOT NULL
);
CREATE INDEX usage_rollups_meter_idx ON usage_rollups (grain, time_zone, meter_id, bucket_start);
CREATE INDEX usage_rollups_project_idx ON usage_rollups (grain, time_zone, project_id, meter_id, bucket_start);

-- Hours whose records changed since their rollups were computed. Written in the transaction that
-- writes the records; while an hour is dirty, statistics over it read events.
CREATE TABLE usage_rollup_dirty (
  meter_id integer NOT NULL,
  hour     timestamptz NOT NULL,
  PRIMARY KEY (meter_id, hour)
);

-- Time zones whose day and month rollups are complete.
CREATE TABLE usage_rollup_zones (
  time_zone  text PRIMARY KEY,
  built_at   timestamptz NOT NULL DEFAULT now()
);

-- Usage recorded before rollups existed is rolled up like any other.
INSERT INTO usage_rollup_dirty (meter_id, hour)
SELECT DISTINCT meter_id, date_bin('1 hour', start_time, timestamptz '2000-01-01 00:00:00+00') FROM usage_events;
