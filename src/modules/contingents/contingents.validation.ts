import { checkTimeRange } from '../../common/time-range';
import { DEFAULT_TIME_ZONE, type TimeZones } from '../../common/time-zones';
import type { Path, Problems } from '../../errors/errors';
import type { CatalogService } from '../catalog/catalog.service';
import type { ContingentRow, ContingentsRepository } from './contingents.repository';
import { ContingentPeriod, type SetContingentInput } from './contingents.types';

const ID = /^[1-9][0-9]{0,9}$/;
const MAX_ID = 2 ** 31 - 1;
const MAX_NAME = 256;
const MAX_DESCRIPTION = 1000;

const UNIT_NAME: Record<Exclude<ContingentPeriod, 'CUSTOM'>, string> = { MONTH: 'month', QUARTER: 'quarter', YEAR: 'year' };

/** A contingent id as the API writes it (a positive int4), or a problem at `path` and undefined. */
export function checkContingentId(id: string, problems: Problems, path: Path): number | undefined {
  const parsed = ID.test(id) && Number(id) <= MAX_ID ? Number(id) : undefined;
  if (parsed === undefined) problems.add(path, 'is not a contingent id');
  return parsed;
}

/** The arguments of the contingents query, checked: [from, to) when both are given, and a defined meter. */
export async function checkContingentsArgs(
  args: { meter?: string | null; from?: Date | null; to?: Date | null },
  problems: Problems,
  catalog: Pick<CatalogService, 'knownMeters'>,
): Promise<{ meterId: number | null }> {
  if (args.from && args.to) checkTimeRange({ from: args.from, to: args.to }, problems);
  let meterId: number | null = null;
  if (args.meter != null) {
    meterId = (await catalog.knownMeters([args.meter])).get(args.meter) ?? null;
    if (meterId === null) problems.add(['meter'], `meter "${args.meter}" is not defined`);
  }
  return { meterId };
}

/** What checking a contingent asks the database. */
export interface SetContingentChecks {
  zones: Pick<TimeZones, 'check'>;
  catalog: Pick<CatalogService, 'knownMeters'>;
  repository: Pick<ContingentsRepository, 'calendarPeriod' | 'dimensionIds'>;
}

/**
 * Checks a setContingent input against every rule, adding each problem at its path: the id, the
 * names, the amount, the description, the zone, the period (a calendar one starts a month,
 * quarter or year of the zone, and ends with it; a CUSTOM one has a `to` after `from`), a defined
 * meter, and a project and compute project known from usage. Returns the id to replace (null: by
 * the unique key) and the row to write, which mean something only when no problem was added.
 */
export async function checkSetContingentInput(
  input: SetContingentInput,
  problems: Problems,
  checks: SetContingentChecks,
  path: Path = ['input'],
): Promise<{ id: number | null; row: ContingentRow }> {
  const at = (field: string) => [...path, field];
  const id = input.id == null ? null : checkContingentId(input.id, problems, at('id'));
  const name = (value: string | null | undefined, field: string) => {
    if (value != null && (value.trim() === '' || value.length > MAX_NAME))
      problems.add(at(field), `must be a non-blank string of at most ${MAX_NAME} characters`);
  };
  name(input.project, 'project');
  name(input.computeProject, 'computeProject');
  if (!Number.isFinite(input.amount) || input.amount < 0) problems.add(at('amount'), 'must be a finite number >= 0');
  if (input.description != null && input.description.length > MAX_DESCRIPTION)
    problems.add(at('description'), `must be at most ${MAX_DESCRIPTION} characters`);
  const timeZone = input.timeZone ?? DEFAULT_TIME_ZONE;
  const zoneKnown = await checks.zones.check(timeZone, problems, at('timeZone'));
  if (!Object.values(ContingentPeriod).includes(input.period)) problems.add(at('period'), 'is not a contingent period');

  let to = input.to ?? null;
  if (input.period === ContingentPeriod.CUSTOM) {
    if (to === null) problems.add(at('to'), 'is required for a CUSTOM period');
    else checkTimeRange({ from: input.from, to }, problems, path);
  } else if (zoneKnown && input.period in UNIT_NAME) {
    const unit = UNIT_NAME[input.period as keyof typeof UNIT_NAME];
    const holding = await checks.repository.calendarPeriod(input.from, input.period as keyof typeof UNIT_NAME, timeZone);
    if (holding.start.getTime() !== input.from.getTime()) {
      problems.add(
        at('from'),
        `must be the start of a ${unit} in ${timeZone}; the ${unit} that holds it starts at ${holding.start.toISOString()}`,
      );
    } else if (to !== null && to.getTime() !== holding.end.getTime()) {
      problems.add(
        at('to'),
        `the ${unit} from ${input.from.toISOString()} in ${timeZone} ends at ${holding.end.toISOString()}; give that, or no to`,
      );
    }
    to = holding.end;
  }

  const [meterId] = (await checks.catalog.knownMeters([input.meter])).values();
  if (meterId === undefined) problems.add(at('meter'), `meter "${input.meter}" is not defined`);
  const dims = await checks.repository.dimensionIds(input.project, input.computeProject ?? null);
  if (dims.project_id === null)
    problems.add(at('project'), `project "${input.project}" is not known: a project is known from its first usage report`);
  if (input.computeProject != null && dims.compute_project_id === null) {
    problems.add(at('computeProject'), `compute project "${input.computeProject}" is not known: it is known from its first usage report`);
  }

  return {
    id: id ?? null,
    row: {
      projectId: dims.project_id!,
      meterId: meterId!,
      computeProjectId: input.computeProject != null ? dims.compute_project_id : null,
      period: input.period,
      timeZone,
      from: input.from,
      to: to!,
      amount: input.amount,
      description: input.description,
    },
  };
}
