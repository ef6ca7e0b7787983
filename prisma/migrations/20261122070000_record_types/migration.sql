-- A meter's record type: the fields its reports must carry in additional_data, as
-- {"name": "JobUsageRecord" | null, "fields": [{"name", "type", "required", "description"}]}.
-- NULL: reports may carry anything. Ingestion checks it; a change applies to reports from then
-- on, and records already stored are not checked again.
ALTER TABLE meters ADD COLUMN record_type jsonb
  CONSTRAINT meters_record_type_shape CHECK (record_type IS NULL OR jsonb_typeof(record_type -> 'fields') = 'array');
