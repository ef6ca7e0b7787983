import { coerceInputValue, isInputObjectType, type GraphQLInputObjectType, type GraphQLSchema } from 'graphql';
import { checkInput, MAX_JSON_DEPTH } from '../../common/input-guard';
import { parseInstant } from '../../common/scalars';
import { Problems, type Problem } from '../../errors/errors';
import type { UsageReport } from './ingestion.validation';

/** A value as a usage report, or every problem that kept it from being one (paths relative to the report). */
export type DecodedReport = { report: UsageReport; problems?: undefined } | { report?: undefined; problems: Problem[] };

/** JSON.parse's message, without the text it quotes back. */
export function jsonError(error: unknown): string {
  return (error as Error).message.replace(/, ".*" is not valid JSON$/s, '');
}

const REQUIRED = /^Field "([^"]+)" of required type "[^"]+" was not provided\.$/;
const UNKNOWN = /^Field "([^"]+)" is not defined by type "[^"]+"\.(?: (.*))?$/;
const NOT_NULL = /^Expected non-nullable type "[^"]+" not to be null\.$/;

/**
 * A report in the JSON shape of the GraphQL input UsageReportInput (a line of an import file, of
 * a bulk request) becomes a UsageReport by GraphQL's own coercion rules: the same scalars (a
 * date-time needs its offset), the same defaults, an unknown field refused, so that a line means
 * what the same JSON sent as reportUsage's variables means.
 *
 * GraphQL's coercion costs about 8 us a report; the well-formed reports that make up nearly every
 * batch take a direct path (`wellFormedReport`) that builds the very value coercion would, and
 * anything it is not sure of goes through coercion, which also words every problem.
 */
export class ReportDecoder {
  constructor(readonly type: GraphQLInputObjectType) {}

  /** The decoder of the schema's own UsageReportInput. */
  static of(schema: GraphQLSchema): ReportDecoder {
    const type = schema.getType('UsageReportInput');
    if (!isInputObjectType(type)) throw new Error('The schema has no UsageReportInput');
    return new ReportDecoder(type);
  }

  decode(value: unknown): DecodedReport {
    const report = wellFormedReport(value);
    return report ? { report } : this.coerce(value);
  }

  /** GraphQL's coercion itself, with its problems worded as validation words its own. */
  coerce(value: unknown): DecodedReport {
    // The input type is nullable, as every GraphQL input object is: null would coerce to null.
    if (value === null || value === undefined)
      return { problems: [{ path: [], message: 'must be a usage report (a JSON object), not null' }] };
    const guarded = new Problems();
    checkInput(value, [], guarded);
    if (guarded.count > 0) return { problems: [...guarded.all] };
    const problems: Problem[] = [];
    const coerced = coerceInputValue(value, this.type, (path, _invalid, error) => {
      const required = REQUIRED.exec(error.message);
      const unknown = UNKNOWN.exec(error.message);
      if (required) problems.push({ path: [...path, required[1]], message: 'is required' });
      else if (unknown)
        problems.push({
          path: [...path, unknown[1]],
          message: `is not a field of a usage report${unknown[2] ? ` (${unknown[2][0].toLowerCase()}${unknown[2].slice(1)})` : ''}`,
        });
      else if (NOT_NULL.test(error.message)) problems.push({ path, message: 'is required' });
      else problems.push({ path, message: error.message });
    });
    return problems.length > 0 ? { problems } : { report: coerced as UsageReport };
  }
}

/** Why the direct path gives a value up: coercion decides it. */
const UNSURE = Symbol('unsure');

/**
 * The value GraphQL's coercion of UsageReportInput gives `value`, for a value it accepts without
 * a doubt; undefined for anything else. The same fields and defaults (an absent field takes its
 * default, an explicit null stays null), the same scalars. test/unit/ingestion.mapping.test.ts
 * holds it to coercion's answer on generated values, hostile ones included.
 */
export function wellFormedReport(value: unknown): UsageReport | undefined {
  try {
    return report(value);
  } catch (error) {
    if (error === UNSURE) return undefined;
    throw error;
  }
}

function report(value: unknown): UsageReport {
  const v = plainObject(value);
  for (const key in v) if (!REPORT_FIELDS.has(key)) throw UNSURE;
  const out: Record<string, unknown> = {};
  optional(out, 'additionalData', v.additionalData, data);
  optional(out, 'additionalMetrics', v.additionalMetrics, (x) => list(x, metric));
  optional(out, 'additionalResources', v.additionalResources, (x) => list(x, resource));
  optional(out, 'computeProject', v.computeProject, text);
  out.contingentFactor = v.contingentFactor === undefined ? 1 : nullable(v.contingentFactor, float);
  optional(out, 'end', v.end, instant);
  out.meter = text(v.meter);
  out.operationCount = v.operationCount === undefined ? 1 : nullable(v.operationCount, int);
  optional(out, 'partition', v.partition, text);
  optional(out, 'priority', v.priority, text);
  out.project = text(v.project);
  optional(out, 'resource', v.resource, text);
  out.source = v.source === undefined ? 'default' : nullable(v.source, text);
  out.start = instant(v.start);
  optional(out, 'user', v.user, text);
  out.volume = float(v.volume);
  return out as unknown as UsageReport;
}

/** The fields of UsageReportInput the direct path reads (a test holds them to the schema's). */
export const REPORT_FIELDS = new Set([
  'additionalData',
  'additionalMetrics',
  'additionalResources',
  'computeProject',
  'contingentFactor',
  'end',
  'meter',
  'operationCount',
  'partition',
  'priority',
  'project',
  'resource',
  'source',
  'start',
  'user',
  'volume',
]);

/** An additional metric (named by `metric`) or resource (by `meter`), as its input type coerces it. */
function additional(name: 'metric' | 'meter'): (value: unknown) => Record<string, unknown> {
  return (value) => {
    const v = plainObject(value);
    for (const key in v) if (key !== name && key !== 'volume' && key !== 'contingentFactor') throw UNSURE;
    return {
      contingentFactor: v.contingentFactor === undefined ? 1 : nullable(v.contingentFactor, float),
      [name]: text(v[name]),
      volume: float(v.volume),
    };
  };
}

const metric = additional('metric');
const resource = additional('meter');

/** A field that coercion leaves out when absent, keeps as null when null, and coerces otherwise. */
function optional(out: Record<string, unknown>, name: string, value: unknown, coerce: (value: unknown) => unknown): void {
  if (value !== undefined) out[name] = value === null ? null : coerce(value);
}

function nullable<T>(value: unknown, coerce: (value: unknown) => T): T | null {
  return value === null ? null : coerce(value);
}

/** An object as JSON.parse makes them: no array, no prototype other than Object's. */
function plainObject(value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || Object.getPrototypeOf(value) !== Object.prototype)
    throw UNSURE;
  return value as Record<string, unknown>;
}

function text(value: unknown): string {
  if (typeof value !== 'string' || value.includes('\0')) throw UNSURE;
  return value;
}

function float(value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw UNSURE;
  return value;
}

function int(value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value > 2_147_483_647 || value < -2_147_483_648) throw UNSURE;
  return value;
}

function instant(value: unknown): Date {
  const date = typeof value === 'string' ? parseInstant(value) : undefined;
  if (!date) throw UNSURE;
  return date;
}

/** A list as coercion reads it when it is one (coercion would also read a lone item as a list of one). */
function list<T>(value: unknown, item: (value: unknown) => T): T[] {
  if (!Array.isArray(value)) throw UNSURE;
  const out = new Array<T>(value.length);
  for (let i = 0; i < value.length; i++) out[i] = item(value[i]);
  return out;
}

/** JSONObject keeps the object as it is; checkInput would refuse a NUL or a nesting too deep in it. */
function data(value: unknown): Record<string, unknown> {
  const v = plainObject(value);
  // At depth 1: checkInput counts from the report.
  if (!clean(v, 1)) throw UNSURE;
  return v;
}

function clean(value: unknown, depth: number): boolean {
  if (typeof value === 'string') return !value.includes('\0');
  if (value === null || typeof value !== 'object') return true;
  if (depth === MAX_JSON_DEPTH) return false;
  if (Array.isArray(value)) {
    for (const item of value) if (!clean(item, depth + 1)) return false;
    return true;
  }
  for (const key in value) {
    if (key.includes('\0') || !clean((value as Record<string, unknown>)[key], depth + 1)) return false;
  }
  return true;
}
