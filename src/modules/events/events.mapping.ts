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
  start_time: Date;
  end_time: Date | null;
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

/** A row as a UsageEvent; of a row with only some columns, only the fields those columns make are read. */
export function fromDbEvent(row: DbEventRow): UsageEvent {
  return {
    meterKey: row.meter_id,
    projectKey: row.project_id,
    resourceKey: row.resource_id,
    id: row.id,
    parentId: row.parent_id,
    project: row.project,
    computeProject: row.compute_project,
    user: row.user,
    source: row.source,
    start: row.start_time,
    end: row.end_time,
    duration: row.duration,
    volume: row.volume,
    contingentFactor: row.contingent_factor,
    weightedVolume: row.volume * row.contingent_factor,
    operationCount: row.operation_count,
    partition: row.partition,
    priority: row.priority,
    additionalData: row.additional_data,
  };
}

export function fromDbMetric(row: DbMetricRow): AdditionalMetric {
  return {
    metric: row.metric,
    volume: row.volume,
    contingentFactor: row.contingent_factor,
    weightedVolume: row.volume * row.contingent_factor,
  };
}
