import { parseInstant } from '../../common/scalars';
import type { Path, Problems } from '../../errors/errors';

/**
 * A meter's record type: the fields that its reports must carry in additionalData, with their
 * types (a job meter's reports carry a jobId, a storage meter's a dataType). Other fields stay
 * allowed. It applies to reports from the moment it is set; stored records are not checked again.
 */
export const RecordFieldType = {
  STRING: 'STRING',
  INTEGER: 'INTEGER',
  NUMBER: 'NUMBER',
  BOOLEAN: 'BOOLEAN',
  DATETIME: 'DATETIME',
} as const;
export type RecordFieldType = (typeof RecordFieldType)[keyof typeof RecordFieldType];

export interface RecordField {
  name: string;
  type: RecordFieldType;
  required: boolean;
  description: string | null;
}

export interface RecordType {
  name: string | null;
  fields: RecordField[];
}

/** A record type as an administrator defines it: required defaults to true. */
export interface RecordTypeDefinition {
  name?: string | null;
  fields: ReadonlyArray<{ name: string; type: RecordFieldType; required?: boolean | null; description?: string | null }>;
}

export const MAX_RECORD_FIELDS = 100;
const MAX_DESCRIPTION = 1000;
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const IDENTIFIER_RULE = 'must be a plain identifier: 1-64 letters, digits and _, not starting with a digit';

/** What a value of each type is, as error messages and the schema describe it. */
export const TYPE_DESCRIPTIONS: Record<RecordFieldType, string> = {
  STRING: 'a string',
  INTEGER: 'a whole number',
  NUMBER: 'a finite number',
  BOOLEAN: 'true or false',
  DATETIME: 'a date-time string with a time zone offset (2026-10-01T00:00:00Z)',
};

const ACCEPTS: Record<RecordFieldType, (value: unknown) => boolean> = {
  STRING: (v) => typeof v === 'string',
  INTEGER: (v) => typeof v === 'number' && Number.isSafeInteger(v),
  NUMBER: (v) => typeof v === 'number' && Number.isFinite(v),
  BOOLEAN: (v) => typeof v === 'boolean',
  DATETIME: (v) => typeof v === 'string' && parseInstant(v) !== undefined,
};

/** Checks a definition (identifiers, unique names, known types) and returns it with its defaults filled in. */
export function validateRecordType(definition: RecordTypeDefinition, problems: Problems, path: Path): RecordType {
  const name = definition.name ?? null;
  if (name !== null && !IDENTIFIER.test(name)) problems.add([...path, 'name'], IDENTIFIER_RULE);
  const fields = definition.fields ?? [];
  if (fields.length === 0) problems.add([...path, 'fields'], 'must list at least one field');
  if (fields.length > MAX_RECORD_FIELDS) problems.add([...path, 'fields'], `must list at most ${MAX_RECORD_FIELDS} fields`);
  const seen = new Set<string>();
  const normalized = fields.map((field, i) => {
    const at = (key: string) => [...path, 'fields', i, key];
    if (typeof field.name !== 'string' || !IDENTIFIER.test(field.name)) problems.add(at('name'), IDENTIFIER_RULE);
    else if (seen.has(field.name)) problems.add(at('name'), `field "${field.name}" appears twice`);
    else seen.add(field.name);
    if (!Object.values(RecordFieldType).includes(field.type))
      problems.add(at('type'), `must be one of ${Object.values(RecordFieldType).join(', ')}`);
    const description = field.description ?? null;
    if (description !== null && description.length > MAX_DESCRIPTION)
      problems.add(at('description'), `must be at most ${MAX_DESCRIPTION} characters`);
    return { name: field.name, type: field.type, required: field.required ?? true, description };
  });
  return { name, fields: normalized };
}

/**
 * Adds a problem for each field of the record type that `data` lacks (when required) or holds
 * with another type, at path + the field's name. A null value counts as absent.
 */
export function checkRecord(
  recordType: RecordType,
  meter: string,
  data: Readonly<Record<string, unknown>> | null,
  problems: Problems,
  path: Path,
): void {
  const of = `meter "${meter}"${recordType.name === null ? '' : ` (${recordType.name})`}`;
  for (const field of recordType.fields) {
    const value = data === null ? undefined : data[field.name];
    if (value == null) {
      if (field.required) problems.add([...path, field.name], `"${field.name}" (${field.type}) is required by ${of}`);
    } else if (!ACCEPTS[field.type](value)) {
      problems.add(
        [...path, field.name],
        `"${field.name}" must be ${field.type}, ${TYPE_DESCRIPTIONS[field.type]}, for ${of}; got ${shown(value)}`,
      );
    }
  }
}

function shown(value: unknown): string {
  const text = JSON.stringify(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}
