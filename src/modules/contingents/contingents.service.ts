import { checkTimeRange } from '../../common/time-range';
import { EXCLUSION_VIOLATION } from '../../db/versions';
import { Problems, ValidationError } from '../../errors/errors';
import { visibleProjects, type Caller } from '../auth/auth.types';
import type { CatalogService } from '../catalog/catalog.service';
import { DEFAULT_TIME_ZONE, type TimeZones } from '../../common/time-zones';
import { fromDbContingent, fromDbContingentStatus, type DbContingentRow } from './contingents.mapping';
import type { ContingentRow, ContingentsRepository } from './contingents.repository';
import { ContingentPeriod, type Contingent, type ContingentStatus, type SetContingentInput } from './contingents.types';

const UNIQUE_VIOLATION = '23505';
const ID = /^[1-9][0-9]{0,9}$/;
const MAX_ID = 2 ** 31 - 1;
const MAX_NAME = 256;
const MAX_DESCRIPTION = 1000;

const UNIT_NAME: Record<Exclude<ContingentPeriod, 'CUSTOM'>, string> = { MONTH: 'month', QUARTER: 'quarter', YEAR: 'year' };

/** A contingent id as the API writes it, or undefined when it is not one. */
function parseId(id: string): number | undefined {
  return ID.test(id) && Number(id) <= MAX_ID ? Number(id) : undefined;
}

function describe(row: DbContingentRow, meter: string): string {
  const scope = row.compute_project === null ? 'the whole project' : `compute project "${row.compute_project}"`;
  return `contingent ${row.id} (project "${row.project}", meter "${meter}", ${scope}) over [${row.valid_from.toISOString()}, ${row.valid_to.toISOString()})`;
}

/**
 * Contingents: how much weighted usage a project may have of a meter in a period, and how much
 * of it was used at an instant. Admins set them; readers see those of their projects.
 */
export class ContingentsService {
  constructor(
    private readonly repository: ContingentsRepository,
    private readonly catalog: CatalogService,
    private readonly zones: TimeZones,
  ) {}

  /** Contingents of the visible projects (or of one), of a meter, overlapping [from, to); either end may be open. */
  async contingents(
    caller: Caller,
    args: { project?: string | null; meter?: string | null; from?: Date | null; to?: Date | null },
  ): Promise<Contingent[]> {
    const problems = new Problems();
    if (args.from && args.to) checkTimeRange({ from: args.from, to: args.to }, problems);
    let meterId: number | null = null;
    if (args.meter != null) {
      meterId = (await this.catalog.knownMeters([args.meter])).get(args.meter) ?? null;
      if (meterId === null) problems.add(['meter'], `meter "${args.meter}" is not defined`);
    }
    problems.throwIfAny();
    const projects = visibleProjects(args.project != null ? [args.project] : null, caller);
    if (projects?.length === 0) return [];
    const rows = await this.repository.list({ projects, meterId, from: args.from ?? null, to: args.to ?? null });
    return rows.map(fromDbContingent);
  }

  /** The status at `at` of each contingent of the project whose period holds `at`; none for a project the caller may not see. */
  async status(caller: Caller, project: string, at: Date): Promise<ContingentStatus[]> {
    if (visibleProjects([project], caller)?.length === 0) return [];
    return (await this.repository.status(project, at)).map(fromDbContingentStatus);
  }

  /** Creates or replaces a contingent (see SetContingentInput); every problem of the input is reported at once. */
  async set(input: SetContingentInput): Promise<Contingent> {
    const problems = new Problems();
    const at = (field: string) => ['input', field];
    const id = input.id == null ? null : parseId(input.id);
    if (id === undefined) problems.add(at('id'), 'is not a contingent id');
    const name = (value: string | null | undefined, field: string) => {
      if (value != null && (value.trim() === '' || value.length > MAX_NAME)) problems.add(at(field), `must be a non-blank string of at most ${MAX_NAME} characters`);
    };
    name(input.project, 'project');
    name(input.computeProject, 'computeProject');
    if (!Number.isFinite(input.amount) || input.amount < 0) problems.add(at('amount'), 'must be a finite number >= 0');
    if (input.description != null && input.description.length > MAX_DESCRIPTION) problems.add(at('description'), `must be at most ${MAX_DESCRIPTION} characters`);
    const timeZone = input.timeZone ?? DEFAULT_TIME_ZONE;
    const zoneKnown = await this.zones.check(timeZone, problems, at('timeZone'));
    if (!Object.values(ContingentPeriod).includes(input.period)) problems.add(at('period'), 'is not a contingent period');

    let to = input.to ?? null;
    if (input.period === ContingentPeriod.CUSTOM) {
      if (to === null) problems.add(at('to'), 'is required for a CUSTOM period');
      else checkTimeRange({ from: input.from, to }, problems, ['input']);
    } else if (zoneKnown && input.period in UNIT_NAME) {
      const unit = UNIT_NAME[input.period as keyof typeof UNIT_NAME];
      const holding = await this.repository.calendarPeriod(input.from, input.period as keyof typeof UNIT_NAME, timeZone);
      if (holding.start.getTime() !== input.from.getTime()) {
        problems.add(at('from'), `must be the start of a ${unit} in ${timeZone}; the ${unit} that holds it starts at ${holding.start.toISOString()}`);
      } else if (to !== null && to.getTime() !== holding.end.getTime()) {
        problems.add(at('to'), `the ${unit} from ${input.from.toISOString()} in ${timeZone} ends at ${holding.end.toISOString()}; give that, or no to`);
      }
      to = holding.end;
    }

    const [meterId] = (await this.catalog.knownMeters([input.meter])).values();
    if (meterId === undefined) problems.add(at('meter'), `meter "${input.meter}" is not defined`);
    const dims = await this.repository.dimensionIds(input.project, input.computeProject ?? null);
    if (dims.project_id === null) problems.add(at('project'), `project "${input.project}" is not known: a project is known from its first usage report`);
    if (input.computeProject != null && dims.compute_project_id === null) {
      problems.add(at('computeProject'), `compute project "${input.computeProject}" is not known: it is known from its first usage report`);
    }
    problems.throwIfAny();

    const row: ContingentRow = {
      projectId: dims.project_id!,
      meterId: meterId!,
      computeProjectId: input.computeProject != null ? dims.compute_project_id : null,
      period: input.period,
      timeZone,
      from: input.from,
      to: to!,
      amount: input.amount,
      description: input.description,
    };
    const conflict = (error: unknown) => [EXCLUSION_VIOLATION, UNIQUE_VIOLATION].includes((error as { code?: string }).code ?? '');
    try {
      if (id == null) {
        // Two identical settings at once may both pass the unique key's check, and the second
        // then fails on the exclusion constraint instead; once the first committed, a second try
        // finds it by the unique key and updates it.
        const upserted = await this.repository.upsert(row).catch((error) => {
          if (!conflict(error)) throw error;
          return this.repository.upsert(row);
        });
        return fromDbContingent(upserted);
      }
      const updated = await this.repository.update(id, row);
      if (!updated) throw new ValidationError([{ path: at('id'), message: `no contingent has the id ${id}` }]);
      return fromDbContingent(updated);
    } catch (error) {
      if (!conflict(error)) throw error;
      const other = await this.repository.overlapping(row, id ?? null);
      const what = other ? describe(other, input.meter) : 'another contingent';
      throw new ValidationError([
        { path: at('from'), message: `[from, to) overlaps ${what}; the contingents of one project, meter and compute project never overlap` },
      ]);
    }
  }

  /** Deletes a contingent; false when there was none with this id. */
  async delete(id: string): Promise<boolean> {
    const key = parseId(id);
    if (key === undefined) throw new ValidationError([{ path: ['id'], message: 'is not a contingent id' }]);
    return this.repository.delete(key);
  }
}
