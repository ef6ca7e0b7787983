import { Field, InputType } from 'type-graphql';
import { JSONObjectScalar } from '../../common/scalars';
import { ident, sql, type Sql } from '../../common/sql';
import type { Path, Problems } from '../../errors/errors';

/** Narrows usage events; every list is "any of", and the conditions all hold together. */
@InputType({
  description: 'Narrows usage records. Each list keeps records matching any of its values; all given conditions hold together.',
})
export class UsageFilter {
  @Field(() => [String], { nullable: true })
  components?: string[] | null;

  @Field(() => [String], { nullable: true })
  projects?: string[] | null;

  @Field(() => [String], { nullable: true })
  computeProjects?: string[] | null;

  @Field(() => [String], { nullable: true })
  users?: string[] | null;

  @Field(() => [String], { nullable: true })
  sources?: string[] | null;

  @Field(() => [String], { nullable: true, description: 'Resource ids.' })
  resources?: string[] | null;

  @Field(() => [String], { nullable: true })
  partitions?: string[] | null;

  @Field(() => [String], { nullable: true })
  priorities?: string[] | null;

  @Field(() => Boolean, { nullable: true, description: 'true: only discrete events (no end); false: only records with an end.' })
  discrete?: boolean | null;

  @Field(() => JSONObjectScalar, {
    nullable: true,
    description: "JSON that the resource's metadata, as it was at the record's start, must contain (PostgreSQL @>).",
  })
  metadata?: Record<string, unknown> | null;
}

const LISTS = ['components', 'projects', 'computeProjects', 'users', 'sources', 'resources', 'partitions', 'priorities'] as const;
export const MAX_FILTER_VALUES = 1000;

export function checkUsageFilter(filter: UsageFilter | null | undefined, problems: Problems, path: Path): void {
  if (!filter) return;
  for (const list of LISTS) {
    const values = filter[list];
    if (values && values.length > MAX_FILTER_VALUES) problems.add([...path, list], `at most ${MAX_FILTER_VALUES} values`);
  }
}

/**
 * The SQL conditions of a filter on usage_events aliased `e`. Names are matched through their
 * dimension tables in subqueries, so the whole filter is part of one statement.
 */
export function usageFilterSql(filter: UsageFilter | null | undefined): Sql[] {
  if (!filter) return [];
  const where: Sql[] = [];
  // One name becomes a scalar subquery, which PostgreSQL evaluates first and then uses as a
  // value: an index on (column, start_time, id) then yields a page in order and stops at its limit.
  const byName = (column: Sql, table: Sql, names: string[] | null | undefined, key = ident('name')) => {
    if (!names) return;
    where.push(
      names.length === 1
        ? sql`e.${column} = (SELECT id FROM ${table} WHERE ${key} = ${names[0]}::text)`
        : sql`e.${column} IN (SELECT id FROM ${table} WHERE ${key} = ANY(${names}::text[]))`,
    );
  };
  if (filter.components) {
    where.push(
      sql`e.meter_id IN (SELECT m.id FROM meters m JOIN components c ON c.id = m.component_id WHERE c.name = ANY(${filter.components}::text[]))`,
    );
  }
  byName(ident('project_id'), ident('projects'), filter.projects);
  byName(ident('compute_project_id'), ident('compute_projects'), filter.computeProjects);
  byName(ident('user_id'), ident('users'), filter.users);
  byName(ident('source_id'), ident('sources'), filter.sources);
  byName(ident('resource_id'), ident('resources'), filter.resources, ident('external_id'));
  if (filter.partitions) where.push(sql`e.partition = ANY(${filter.partitions}::text[])`);
  if (filter.priorities) where.push(sql`e.priority = ANY(${filter.priorities}::text[])`);
  if (filter.discrete === true) where.push(sql`e.end_time IS NULL`);
  if (filter.discrete === false) where.push(sql`e.end_time IS NOT NULL`);
  if (filter.metadata) {
    where.push(
      // Only the metadata of a resource of the record's project: no project learns another's.
      sql`EXISTS (SELECT 1 FROM resource_metadata rmf JOIN resources rf ON rf.id = rmf.resource_id
         WHERE rmf.resource_id = e.resource_id AND rf.project_id = e.project_id AND rmf.valid_from <= e.start_time
         AND (rmf.valid_to IS NULL OR rmf.valid_to > e.start_time) AND rmf.metadata @> ${JSON.stringify(filter.metadata)}::jsonb)`,
    );
  }
  return where;
}
