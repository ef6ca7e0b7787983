-- The resource joins the match key: three VMs of one user, reported for the same meter and hour,
-- are three usages, not one report sent three times. A report without a resource (the meter names
-- the kind of resource, as in PERSEUS) matches as before, since an absent value matches an absent
-- value. Every stored row is unique on the old key, and so on this wider one: no row changes.
ALTER TABLE usage_events DROP CONSTRAINT usage_events_match_key;
ALTER TABLE usage_events ADD CONSTRAINT usage_events_match_key UNIQUE NULLS NOT DISTINCT
  (project_id, source_id, compute_project_id, meter_id, resource_id, start_time, end_time, user_id, partition, priority, parent_id);
