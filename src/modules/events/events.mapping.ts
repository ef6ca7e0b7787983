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

export interface DbMetricRow {
  event_id: string;
  metric: string;
  volume: number;
  contingent_factor: number;
}

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
