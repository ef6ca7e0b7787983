import { createHash } from 'node:crypto';
import { Problems, type Path } from '../../errors/errors';
import { checkRecord, type RecordType } from '../catalog/record-types';

/** A usage report as a caller sends it (the GraphQL input, or a line of an import file). */
export interface UsageReport {
  project: string;
  computeProject?: string | null;
  meter: string;
  start: Date;
  end?: Date | null;
  volume: number;
  contingentFactor?: number | null;
  user?: string | null;
  partition?: string | null;
  priority?: string | null;
  source?: string | null;
  resource?: string | null;
  operationCount?: number | null;
  additionalMetrics?: ReadonlyArray<{ metric: string; volume: number; contingentFactor?: number | null }> | null;
  additionalResources?: ReadonlyArray<{ meter: string; volume: number; contingentFactor?: number | null }> | null;
  additionalData?: Record<string, unknown> | null;
}

/** A valid report with its defaults filled in, its match key and a hash of its whole content. */
export interface NormalizedReport {
  project: string;
  computeProject: string | null;
  meter: string;
  start: Date;
  end: Date | null;
  volume: number;
  contingentFactor: number;
  user: string | null;
  partition: string | null;
  priority: string | null;
  source: string;
  resource: string | null;
  operationCount: number;
  additionalMetrics: { metric: string; volume: number; contingentFactor: number }[];
  additionalResources: { meter: string; volume: number; contingentFactor: number }[];
  additionalData: Record<string, unknown> | null;
  /** Its position in the batch. */
  index: number;
  /** The match key, as one string. */
  key: string;
  /** Changes whenever anything in the report changes; equal reports have equal hashes (SHA-1: a change detector, not a secret). */
  hash: string;
}

export const DEFAULT_SOURCE = 'default';
export const MAX_NAME_LENGTH = 256;
/**
 * The largest volume of a record: a petabyte counted in bytes. Volumes are absolute amounts (as
 * PERSEUS reports them), so never negative; bounded so that no sum of them, squared for the
 * standard deviation and multiplied by a price, leaves what float8 and the Decimal scalar hold.
 */
export const MAX_VOLUME = 1e15;
/** The largest contingent factor: a weight of usage against a contingent, not an amount. */
export const MAX_CONTINGENT_FACTOR = 1000;

/** The defined meters a batch names, by name, with what their reports must carry. */
export type MeterRules = ReadonlyMap<string, { recordType: RecordType | null }>;

/**
 * Checks every report of a batch against every rule and collects all problems, each with its
 * path (reports[3].meter), so that one answer lists everything to fix. A report's additionalData
 * must satisfy the record type of its meter and of each of its additional resources' meters.
 */
export function normalizeReports(
  reports: readonly UsageReport[],
  knownMeters: MeterRules,
  problems: Problems,
  path: Path = ['reports'],
): NormalizedReport[] {
  const normalized: NormalizedReport[] = [];
  for (let index = 0; index < reports.length; index++) {
    const report = normalizeReport(reports[index], index, knownMeters, problems, path);
    if (report) normalized.push(report);
  }
  return normalized;
}

const NAME_RULE = `must be a non-blank string of at most ${MAX_NAME_LENGTH} characters`;
const VOLUME_RULE = `must be a finite number from 0 to ${MAX_VOLUME.toExponential()}`;
const FACTOR_RULE = `must be a finite number from 0 to ${MAX_CONTINGENT_FACTOR}`;

const inRange = (value: unknown, max: number): value is number =>
  typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= max;

/**
 * One report of a batch, checked by every rule: its problems are added (paths are built only for
 * them), and it comes back normalized when it has none. Reports are checked by the thousand a
 * batch: nothing is allocated for a rule a report keeps.
 */
function normalizeReport(
  report: UsageReport,
  index: number,
  knownMeters: MeterRules,
  problems: Problems,
  path: Path,
): NormalizedReport | undefined {
  const before = problems.count;
  const at = (...rest: (string | number)[]) => [...path, index, ...rest];
  const name = (value: unknown, field: string, required: boolean): string | null => {
    if (value == null) {
      if (required) problems.add(at(field), 'is required');
      return null;
    }
    if (typeof value !== 'string' || value.trim() === '' || value.length > MAX_NAME_LENGTH) {
      problems.add(at(field), NAME_RULE);
      return null;
    }
    return value;
  };
  const instant = (value: unknown, field: string, required: boolean): Date | null => {
    if (value == null) {
      if (required) problems.add(at(field), 'is required');
      return null;
    }
    if (!(value instanceof Date) || Number.isNaN(value.getTime())) {
      problems.add(at(field), 'must be a date-time with a time zone offset');
      return null;
    }
    return value;
  };

  const project = name(report.project, 'project', true);
  const meter = name(report.meter, 'meter', true);
  if (meter !== null && !knownMeters.has(meter)) problems.add(at('meter'), `meter "${meter}" is not defined`);
  const start = instant(report.start, 'start', true);
  const end = instant(report.end, 'end', false);
  if (start && end && end.getTime() < start.getTime()) problems.add(at('end'), 'must not be before start');
  if (!inRange(report.volume, MAX_VOLUME)) problems.add(at('volume'), VOLUME_RULE);
  const contingentFactor = report.contingentFactor ?? 1;
  if (!inRange(contingentFactor, MAX_CONTINGENT_FACTOR)) problems.add(at('contingentFactor'), FACTOR_RULE);
  const operationCount = report.operationCount ?? 1;
  if (!Number.isInteger(operationCount) || operationCount < 1 || operationCount > 2_147_483_647) {
    problems.add(at('operationCount'), 'must be a whole number >= 1');
  }
  const computeProject = name(report.computeProject, 'computeProject', false);
  const user = name(report.user, 'user', false);
  const partition = name(report.partition, 'partition', false);
  const priority = name(report.priority, 'priority', false);
  const source = name(report.source ?? DEFAULT_SOURCE, 'source', true) ?? DEFAULT_SOURCE;
  const resource = name(report.resource, 'resource', false);

  const metrics = (report.additionalMetrics ?? []).map((m, j) => {
    if (typeof m.metric !== 'string' || m.metric.trim() === '' || m.metric.length > MAX_NAME_LENGTH) {
      problems.add(at('additionalMetrics', j, 'metric'), NAME_RULE);
    }
    if (!inRange(m.volume, MAX_VOLUME)) problems.add(at('additionalMetrics', j, 'volume'), VOLUME_RULE);
    const factor = m.contingentFactor ?? 1;
    if (!inRange(factor, MAX_CONTINGENT_FACTOR)) problems.add(at('additionalMetrics', j, 'contingentFactor'), FACTOR_RULE);
    return { metric: m.metric, volume: m.volume, contingentFactor: factor };
  });
  duplicates(metrics.map((m) => m.metric)).forEach((j) =>
    problems.add(at('additionalMetrics', j, 'metric'), `metric "${metrics[j].metric}" appears twice in this report`),
  );

  const resources = (report.additionalResources ?? []).map((r, j) => {
    if (typeof r.meter !== 'string' || !knownMeters.has(r.meter))
      problems.add(at('additionalResources', j, 'meter'), `meter "${r.meter}" is not defined`);
    if (!inRange(r.volume, MAX_VOLUME)) problems.add(at('additionalResources', j, 'volume'), VOLUME_RULE);
    const factor = r.contingentFactor ?? 1;
    if (!inRange(factor, MAX_CONTINGENT_FACTOR)) problems.add(at('additionalResources', j, 'contingentFactor'), FACTOR_RULE);
    return { meter: r.meter, volume: r.volume, contingentFactor: factor };
  });
  duplicates(resources.map((r) => r.meter)).forEach((j) =>
    problems.add(at('additionalResources', j, 'meter'), `meter "${resources[j].meter}" appears twice in this report`),
  );

  const additionalData = report.additionalData ?? null;
  if (additionalData !== null && (typeof additionalData !== 'object' || Array.isArray(additionalData))) {
    problems.add(at('additionalData'), 'must be a JSON object');
  } else {
    const check = (name: unknown) => {
      const recordType = typeof name === 'string' ? knownMeters.get(name)?.recordType : null;
      if (recordType) checkRecord(recordType, name as string, additionalData, problems, at('additionalData'));
    };
    check(meter);
    // Additional resources are records of their own meters, described by the same data.
    resources.forEach((r, j) => {
      if (r.meter !== meter && resources.findIndex((other) => other.meter === r.meter) === j) check(r.meter);
    });
  }

  if (problems.count > before) return undefined;
  const additionalMetrics = metrics.length > 1 ? metrics.sort((a, b) => compare(a.metric, b.metric)) : metrics;
  const additionalResources = resources.length > 1 ? resources.sort((a, b) => compare(a.meter, b.meter)) : resources;
  const key = JSON.stringify([
    source,
    project,
    computeProject,
    meter,
    resource,
    start!.getTime(),
    end?.getTime() ?? null,
    user,
    partition,
    priority,
  ]);
  // Everything but the key has a fixed shape, written in a fixed order; only additionalData,
  // whose keys a client may send in any order, needs its keys sorted.
  const content = JSON.stringify([
    key,
    report.volume,
    contingentFactor,
    operationCount,
    additionalMetrics.map((m) => [m.metric, m.volume, m.contingentFactor]),
    additionalResources.map((r) => [r.meter, r.volume, r.contingentFactor]),
  ]);
  const hash = createHash('sha1')
    .update(content)
    .update(additionalData === null ? '' : canonicalJson(additionalData))
    .digest('base64url');
  return {
    project: project!,
    meter: meter!,
    start: start!,
    end,
    volume: report.volume,
    contingentFactor,
    operationCount,
    computeProject,
    user,
    partition,
    priority,
    source,
    resource,
    additionalMetrics,
    additionalResources,
    additionalData,
    index,
    key,
    hash,
  };
}

/** Indexes of the values that repeat an earlier one. */
function duplicates(values: readonly string[]): number[] {
  const seen = new Set<string>();
  return values.flatMap((value, index) => (seen.has(value) ? [index] : (seen.add(value), [])));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** JSON with object keys sorted, so that equal content always hashes equally. */
export function canonicalJson(value: unknown): string {
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value);
}
