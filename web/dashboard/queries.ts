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

// Cost fields only with $money: a query that asks for them prices its records from the events,
// where the others read rollups.
const ROW_FIELDS = `meter unit periodStart periodEnd user project resource computeProject source partition priority count sum weightedSum
  cost @include(if: $money) weightedCost @include(if: $money) currency @include(if: $money)
  unpricedVolume @include(if: $money) unpricedCount @include(if: $money)`;

/**
 * The chart's periods and rows and the table's rows (over the whole range), in one request, and
 * with $compare those of the period before the range. The periods are every one of the range,
 * rows or none, as meterql bucketed the rows: its calendar of the zone, with a DST day of 23 or
 * 25 hours.
 */
export const STATISTICS = gql`
  query DashboardStatistics(
    $perPeriod: UsageStatisticsInput!
    $total: UsageStatisticsInput!
    $previous: UsageStatisticsInput!
    $money: Boolean!
    $compare: Boolean!
  ) {
    perPeriod: usageStatistics(input: $perPeriod) {
      periods { start end }
      rows { ${ROW_FIELDS} }
    }
    total: usageStatistics(input: $total) {
      rows { ${ROW_FIELDS} }
    }
    previous: usageStatistics(input: $previous) @include(if: $compare) {
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
  /** Decimals; only asked for with a money measure, null where nothing of the row was priced. */
  cost?: string | null;
  weightedCost?: string | null;
  currency?: string | null;
  unpricedVolume?: number | null;
  unpricedCount?: number | null;
}

export interface StatisticsData {
  perPeriod: { periods: { start: string; end: string }[]; rows: StatisticsRow[] };
  total: { rows: StatisticsRow[] };
  previous?: { rows: StatisticsRow[] };
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

/** What each project (or resource) is charged, as the chargeback query answers it. */
export const CHARGEBACK = gql`
  query DashboardChargeback($input: ChargebackInput!) {
    chargeback(input: $input) {
      rows {
        project
        resource
        periodStart
        periodEnd
        currency
        allocationMinutes
        allocationCost
        fixedCost
        total
      }
    }
  }
`;

export interface ChargebackRow {
  project: string;
  resource: string | null;
  periodStart: string;
  periodEnd: string;
  currency: string | null;
  allocationMinutes: string;
  allocationCost: string | null;
  fixedCost: string | null;
  total: string | null;
}

export interface ChargebackData {
  chargeback: { rows: ChargebackRow[] };
}

/** The contingents whose periods overlap the range. */
export const CONTINGENTS = gql`
  query DashboardContingents($from: DateTime!, $to: DateTime!) {
    contingents(from: $from, to: $to) {
      id
      project
      computeProject
      period
      timeZone
      from
      to
      amount
      description
      meter {
        name
        unit
      }
    }
  }
`;

export interface Contingent {
  id: string;
  project: string;
  computeProject: string | null;
  period: string;
  timeZone: string;
  from: string;
  to: string;
  amount: number;
  description: string | null;
  meter: { name: string; unit: string };
}

export interface ContingentsData {
  contingents: Contingent[];
}

/**
 * One contingent's status at an instant inside its period, and its use period by period up to
 * then (weightedSum: volume x contingent factor, counted by the records' starts, as the status
 * counts them).
 */
export const CONTINGENT_USE = gql`
  query DashboardContingentUse($project: String!, $at: DateTime!, $use: UsageStatisticsInput!, $status: Boolean!) {
    contingentStatus(project: $project, at: $at) @include(if: $status) {
      contingent {
        id
      }
      at
      used
      remaining
      shareUsed
      hoursLeft
      requiredRate
      averageRate
      projectedUse
    }
    use: usageStatistics(input: $use) {
      periods {
        start
        end
      }
      rows {
        periodStart
        weightedSum
      }
    }
  }
`;

export interface ContingentStatus {
  contingent: { id: string };
  at: string;
  used: number;
  remaining: number;
  shareUsed: number | null;
  hoursLeft: number;
  requiredRate: number;
  averageRate: number | null;
  projectedUse: number | null;
}

export interface ContingentUseData {
  contingentStatus?: ContingentStatus[];
  use: { periods: { start: string; end: string }[]; rows: { periodStart: string; weightedSum: number }[] };
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
