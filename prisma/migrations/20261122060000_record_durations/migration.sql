-- The longest record of each project and meter. A record that overlaps [from, to) started at
-- from minus that or later: prorated statistics read records from there, not from the beginning.
-- It only grows: start and end are in a record's match key, so an overwrite never shortens one.
CREATE TABLE record_durations (
  project_id  integer NOT NULL,
  meter_id    integer NOT NULL,
  max_seconds double precision NOT NULL,
  PRIMARY KEY (project_id, meter_id)
);
INSERT INTO record_durations (project_id, meter_id, max_seconds)
SELECT project_id, meter_id, max(duration) FROM usage_events WHERE duration IS NOT NULL GROUP BY project_id, meter_id;
