-- meterql: the catalogue (components, meters), the usage dimensions, resources with
-- validity-interval metadata, and usage events keyed for idempotent reporting.

CREATE EXTENSION IF NOT EXISTS btree_gist;

CREATE TYPE meter_type AS ENUM ('CUMULATIVE', 'GAUGE', 'DELTA', 'EVENT');

CREATE TABLE components (
  id          serial PRIMARY KEY,
  name        text NOT NULL UNIQUE,
  description text,
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE meters (
  id           serial PRIMARY KEY,
  name         text NOT NULL UNIQUE,
  component_id integer NOT NULL REFERENCES components (id),
  unit         text NOT NULL,
  type         meter_type NOT NULL,
  description  text,
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX meters_component_id_idx ON meters (component_id);

-- Dimensions appear the first time a report names them.
CREATE TABLE projects (
  id         serial PRIMARY KEY,
  name       text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
  id         serial PRIMARY KEY,
  name       text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE compute_projects (
  id         serial PRIMARY KEY,
  name       text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE sources (
  id         serial PRIMARY KEY,
  name       text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE resources (
  id          serial PRIMARY KEY,
  external_id text NOT NULL UNIQUE,
  type        text,
  project_id  integer REFERENCES projects (id),
  user_id     integer REFERENCES users (id),
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX resources_project_id_idx ON resources (project_id);
CREATE INDEX resources_user_id_idx ON resources (user_id);

-- Metadata versions are valid over [valid_from, valid_to); valid_to NULL is still valid.
-- Two versions of one resource never overlap: the database refuses it, whatever the code does.
CREATE TABLE resource_metadata (
  id          bigserial PRIMARY KEY,
  resource_id integer NOT NULL REFERENCES resources (id) ON DELETE CASCADE,
  valid_from  timestamptz NOT NULL,
  valid_to    timestamptz,
  metadata    jsonb NOT NULL,
  CONSTRAINT resource_metadata_interval_check CHECK (valid_to IS NULL OR valid_to > valid_from),
  CONSTRAINT resource_metadata_no_overlap
    EXCLUDE USING gist (resource_id WITH =, tstzrange(valid_from, valid_to, '[)') WITH &&)
);
CREATE INDEX resource_metadata_metadata_idx ON resource_metadata USING gin (metadata jsonb_path_ops);

CREATE TABLE usage_events (
  id                 bigserial PRIMARY KEY,
  meter_id           integer NOT NULL REFERENCES meters (id),
  project_id         integer NOT NULL REFERENCES projects (id),
  compute_project_id integer REFERENCES compute_projects (id),
  user_id            integer REFERENCES users (id),
  source_id          integer NOT NULL REFERENCES sources (id),
  resource_id        integer REFERENCES resources (id),
  -- An additional resource of a report is usage of its own meter, stored as a child row
  -- that is replaced whenever its parent report is overwritten.
  parent_id          bigint REFERENCES usage_events (id) ON DELETE CASCADE,
  start_time         timestamptz NOT NULL,
  end_time           timestamptz,
  duration           double precision GENERATED ALWAYS AS (extract(epoch FROM end_time - start_time)) STORED,
  volume             double precision NOT NULL,
  contingent_factor  double precision NOT NULL DEFAULT 1,
  operation_count    integer NOT NULL DEFAULT 1,
  partition          text,
  priority           text,
  additional_data    jsonb,
  content_hash       text NOT NULL,
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT usage_events_interval_check CHECK (end_time IS NULL OR end_time >= start_time),
  CONSTRAINT usage_events_volume_check CHECK (volume > '-Infinity' AND volume < 'Infinity'),
  CONSTRAINT usage_events_contingent_factor_check CHECK (contingent_factor >= 0 AND contingent_factor < 'Infinity'),
  CONSTRAINT usage_events_operation_count_check CHECK (operation_count >= 1),
  -- The match key of a report: a report that matches a stored one overwrites it.
  -- NULLS NOT DISTINCT makes an absent optional value match an absent value.
  CONSTRAINT usage_events_match_key UNIQUE NULLS NOT DISTINCT
    (project_id, source_id, compute_project_id, meter_id, start_time, end_time, user_id, partition, priority, parent_id)
);
CREATE INDEX usage_events_start_id_idx ON usage_events (start_time, id);
CREATE INDEX usage_events_meter_start_idx ON usage_events (meter_id, start_time);
CREATE INDEX usage_events_project_start_idx ON usage_events (project_id, start_time);
CREATE INDEX usage_events_user_start_idx ON usage_events (user_id, start_time);
CREATE INDEX usage_events_resource_start_idx ON usage_events (resource_id, start_time);
CREATE INDEX usage_events_parent_id_idx ON usage_events (parent_id) WHERE parent_id IS NOT NULL;

-- Additional metrics: named quantities that are not meters and stay with their report.
CREATE TABLE usage_metrics (
  event_id          bigint NOT NULL REFERENCES usage_events (id) ON DELETE CASCADE,
  metric            text NOT NULL,
  volume            double precision NOT NULL,
  contingent_factor double precision NOT NULL DEFAULT 1,
  PRIMARY KEY (event_id, metric),
  CONSTRAINT usage_metrics_volume_check CHECK (volume > '-Infinity' AND volume < 'Infinity'),
  CONSTRAINT usage_metrics_contingent_factor_check CHECK (contingent_factor >= 0 AND contingent_factor < 'Infinity')
);
CREATE INDEX usage_metrics_metric_idx ON usage_metrics (metric);
