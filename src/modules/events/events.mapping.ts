import type { AdditionalMetric, UsageEvent } from './events.types';

export interface DbEventRow {
  id: string;
  parent_id: string | null;
  meter_id: number;
  project_id: number;
  resource_id: number | null;
  project: string;
  compute_project: string | null;
  user: string | null;
  source: string;
  /** Milliseconds since the epoch. */
  start_time: number;
  end_time: number | null;
  duration: number | null;
  volume: number;
  contingent_factor: number;
  operation_count: number;
  partition: string | null;
  priority: string | null;
  additional_data: Record<string, unknown> | null;
}

/** The columns a page's rows may carry (events.repository.ts selects each). */
export type EventColumn = keyof DbEventRow;

/** What each field of UsageEvent reads; every row has its id and start, the page's order and cursor. */
const FIELD_COLUMNS: Record<string, readonly EventColumn[]> = {
  id: ['id'],
  parentId: ['parent_id'],
  project: ['project'],
  computeProject: ['compute_project'],
  user: ['user'],
  source: ['source'],
  start: ['start_time'],
  end: ['end_time'],
  duration: ['duration'],
  volume: ['volume'],
  contingentFactor: ['contingent_factor'],
  weightedVolume: ['volume', 'contingent_factor'],
  operationCount: ['operation_count'],
  partition: ['partition'],
  priority: ['priority'],
  additionalData: ['additional_data'],
  meter: ['meter_id'],
  resource: ['resource_id', 'project_id'],
  resourceMetadata: ['resource_id', 'project_id', 'start_time'],
  additionalMetrics: ['id'],
};

/** The columns that the selected fields of UsageEvent read (all of them when the selection is unknown). */
export function columnsFor(fields: ReadonlySet<string> | undefined): Set<EventColumn> {
  if (fields === undefined) return new Set(Object.values(FIELD_COLUMNS).flat());
  const columns = new Set<EventColumn>(['id', 'start_time']);
  for (const field of fields) for (const column of FIELD_COLUMNS[field] ?? []) columns.add(column);
  return columns;
}

export interface DbMetricRow {
  event_id: string;
  metric: string;
  volume: number;
  contingent_factor: number;
}

/**
 * A row as a UsageEvent, read from the row when a field is resolved: a page of events is one
 * small object a row, whatever the columns it carries (only the fields those make are read).
 */
class EventOfRow implements UsageEvent {
  constructor(private readonly row: DbEventRow) {}
  get meterKey() {
    return this.row.meter_id;
  }
  get projectKey() {
    return this.row.project_id;
  }
  get resourceKey() {
    return this.row.resource_id;
  }
  get id() {
    return this.row.id;
  }
  get parentId() {
    return this.row.parent_id;
  }
  get project() {
    return this.row.project;
  }
  get computeProject() {
    return this.row.compute_project;
  }
  get user() {
    return this.row.user;
  }
  get source() {
    return this.row.source;
  }
  get start() {
    return new Date(this.row.start_time);
  }
  get end() {
    return this.row.end_time === null ? null : new Date(this.row.end_time);
  }
  get duration() {
    return this.row.duration;
  }
  get volume() {
    return this.row.volume;
  }
  get contingentFactor() {
    return this.row.contingent_factor;
  }
  get weightedVolume() {
    return this.row.volume * this.row.contingent_factor;
  }
  get operationCount() {
    return this.row.operation_count;
  }
  get partition() {
    return this.row.partition;
  }
  get priority() {
    return this.row.priority;
  }
  get additionalData() {
    return this.row.additional_data;
  }
}

export function fromDbEvent(row: DbEventRow): UsageEvent {
  return new EventOfRow(row);
}

export function fromDbMetric(row: DbMetricRow): AdditionalMetric {
  return {
    metric: row.metric,
    volume: row.volume,
    contingentFactor: row.contingent_factor,
    weightedVolume: row.volume * row.contingent_factor,
  };
}
