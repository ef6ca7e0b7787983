-- The project in every key of the tables that hold usage: the rule of a distributed PostgreSQL
-- (Citus, docs/scaling.md), where a key must contain the distribution column, and where rows
-- that point at each other must share it.
ALTER TABLE usage_metrics ADD COLUMN project_id integer;
UPDATE usage_metrics m SET project_id = e.project_id FROM usage_events e WHERE e.id = m.event_id;
ALTER TABLE usage_metrics ALTER COLUMN project_id SET NOT NULL;

ALTER TABLE usage_metrics DROP CONSTRAINT usage_metrics_event_id_fkey, DROP CONSTRAINT usage_metrics_pkey;
ALTER TABLE usage_events DROP CONSTRAINT usage_events_parent_id_fkey, DROP CONSTRAINT usage_events_pkey;
ALTER TABLE usage_events ADD CONSTRAINT usage_events_pkey PRIMARY KEY (project_id, id);
ALTER TABLE usage_events ADD CONSTRAINT usage_events_parent_fkey
  FOREIGN KEY (project_id, parent_id) REFERENCES usage_events (project_id, id) ON DELETE CASCADE;
ALTER TABLE usage_metrics ADD CONSTRAINT usage_metrics_pkey PRIMARY KEY (project_id, event_id, metric);
ALTER TABLE usage_metrics ADD CONSTRAINT usage_metrics_event_fkey
  FOREIGN KEY (project_id, event_id) REFERENCES usage_events (project_id, id) ON DELETE CASCADE;
-- A record's metrics are read by its id alone (a page of events).
CREATE INDEX usage_metrics_event_idx ON usage_metrics (event_id);

ALTER TABLE usage_rollups DROP CONSTRAINT usage_rollups_pkey, ADD CONSTRAINT usage_rollups_pkey PRIMARY KEY (project_id, id);

-- Dirty hours are marked per project, on the shard of the events that made them dirty.
CREATE TABLE usage_rollup_dirty_by_project (
  project_id integer NOT NULL,
  meter_id   integer NOT NULL,
  hour       timestamptz NOT NULL,
  PRIMARY KEY (project_id, meter_id, hour)
);
INSERT INTO usage_rollup_dirty_by_project (project_id, meter_id, hour)
SELECT DISTINCT e.project_id, d.meter_id, d.hour
FROM usage_rollup_dirty d JOIN usage_events e ON e.meter_id = d.meter_id AND e.start_time >= d.hour AND e.start_time < d.hour + interval '1 hour';
DROP TABLE usage_rollup_dirty;
ALTER TABLE usage_rollup_dirty_by_project RENAME TO usage_rollup_dirty;
ALTER TABLE usage_rollup_dirty RENAME CONSTRAINT usage_rollup_dirty_by_project_pkey TO usage_rollup_dirty_pkey;
-- The statistics' check "is any hour of this range dirty" looks up by meter and hour.
CREATE INDEX usage_rollup_dirty_meter_hour_idx ON usage_rollup_dirty (meter_id, hour);
