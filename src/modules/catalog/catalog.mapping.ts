import type { Component as DbComponent, Meter as DbMeter } from '../../generated/prisma/client';
import type { Component, Meter } from './catalog.types';
import type { RecordFieldType, RecordType } from './record-types';

export function toApiComponent(row: DbComponent): Component {
  return { name: row.name, description: row.description };
}

export function toApiMeter(row: DbMeter & { component: DbComponent }): Meter {
  return {
    name: row.name,
    unit: row.unit,
    type: row.type,
    description: row.description,
    recordType: fromDbRecordType(row.recordType),
    component: toApiComponent(row.component),
  };
}

/** A stored record type (meters.record_type), which only validateRecordType's output is written to. */
export function fromDbRecordType(value: unknown): RecordType | null {
  if (value === null || value === undefined) return null;
  const stored = value as {
    name?: string | null;
    fields: { name: string; type: RecordFieldType; required?: boolean; description?: string | null }[];
  };
  return {
    name: stored.name ?? null,
    fields: stored.fields.map((f) => ({ name: f.name, type: f.type, required: f.required ?? true, description: f.description ?? null })),
  };
}

/** A record type as meters.record_type holds it. */
export type DbRecordType = {
  name: string | null;
  fields: { name: string; type: RecordFieldType; required: boolean; description: string | null }[];
};

/** The jsonb written for a record type: always every key, in one order. */
export function toDbRecordType(recordType: RecordType): DbRecordType {
  return {
    name: recordType.name,
    fields: recordType.fields.map((f) => ({ name: f.name, type: f.type, required: f.required, description: f.description })),
  };
}
