-- Pages of events are in (start_time, id) order; with id in the index after start_time, a page
-- filtered by one meter, project, user or resource is read in index order and stops at its limit.
DROP INDEX usage_events_meter_start_idx;
DROP INDEX usage_events_project_start_idx;
DROP INDEX usage_events_user_start_idx;
DROP INDEX usage_events_resource_start_idx;
CREATE INDEX usage_events_meter_start_idx ON usage_events (meter_id, start_time, id);
CREATE INDEX usage_events_project_start_idx ON usage_events (project_id, start_time, id);
CREATE INDEX usage_events_user_start_idx ON usage_events (user_id, start_time, id);
CREATE INDEX usage_events_resource_start_idx ON usage_events (resource_id, start_time, id);
