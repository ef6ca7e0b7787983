import { gql } from 'urql';
import type { Group } from './view';

/** What the pickers offer: the meters, and when the latest usage was (the default range is its month). */
export const CATALOG = gql`
  query DashboardCatalog($epoch: DateTime!, $until: DateTime!) {
    meters {
      name
      unit
      description
      component {
        name
      }
    }
    latest: usageEvents(filter: { from: $epoch, to: $until }, orderBy: START_DESC, first: 1) {
      edges {
        node {
          start
        }
      }
    }
  }
`;

export interface CatalogData {
  meters: { name: string; unit: string; description: string | null; component: { name: string } }[];
  latest: { edges: { node: { start: string } }[] };
}

/** Projects with usage in the range. */
export const PROJECTS = gql`
  query DashboardProjects($from: DateTime!, $to: DateTime!) {
    projects(filter: { from: $from, to: $to }, first: 1000) {
      edges {
        node {
          name
        }
      }
    }
  }
`;

export interface ProjectsData {
  projects: { edges: { node: { name: string } }[] };
}

const ROW_FIELDS = `meter unit periodStart periodEnd user project resource computeProject source partition priority count sum weightedSum`;

/**
 * The chart's periods and rows and the table's rows (over the whole range), in one request. The
 * periods are every one of the range, rows or none, as meterql bucketed the rows: its calendar of
 * the zone, with a DST day of 23 or 25 hours.
 */
export const STATISTICS = gql`
  query DashboardStatistics($perPeriod: UsageStatisticsInput!, $total: UsageStatisticsInput!) {
    perPeriod: usageStatistics(input: $perPeriod) {
      periods { start end }
      rows { ${ROW_FIELDS} }
    }
    total: usageStatistics(input: $total) {
      rows { ${ROW_FIELDS} }
    }
  }
`;

export interface StatisticsRow {
  meter: string;
  unit: string;
  periodStart: string;
  periodEnd: string;
  user: string | null;
  project: string | null;
  resource: string | null;
  computeProject: string | null;
  source: string | null;
  partition: string | null;
  priority: string | null;
  count: number;
  sum: number;
  weightedSum: number;
}

export interface StatisticsData {
  perPeriod: { periods: { start: string; end: string }[]; rows: StatisticsRow[] };
  total: { rows: StatisticsRow[] };
}

export interface StatisticsInput {
  meters: string[];
  from: string;
  to: string;
  timeZone: string;
  period?: { unit: string };
  groupBy: Group[];
  filter?: { projects: string[] };
}

/** The raw events behind a bar, a page at a time. */
export const EVENTS = gql`
  query DashboardEvents($filter: UsageEventFilter!, $first: Int!, $after: String) {
    usageEvents(filter: $filter, first: $first, after: $after) {
      edges {
        node {
          id
          start
          end
          duration
          project
          computeProject
          user
          source
          partition
          priority
          resource {
            id
          }
          volume
          contingentFactor
          weightedVolume
          meter {
            name
            unit
          }
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`;

export interface UsageEventNode {
  id: string;
  start: string;
  end: string | null;
  duration: number | null;
  project: string;
  computeProject: string | null;
  user: string | null;
  source: string;
  partition: string | null;
  priority: string | null;
  resource: { id: string } | null;
  volume: number;
  contingentFactor: number;
  weightedVolume: number;
  meter: { name: string; unit: string };
}

export interface EventsData {
  usageEvents: { edges: { node: UsageEventNode }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
}
