import { EXCLUSION_VIOLATION } from '../../db/versions';
import { Problems, ValidationError } from '../../errors/errors';
import { visibleProjects, type Caller } from '../auth/auth.types';
import type { CatalogService } from '../catalog/catalog.service';
import type { TimeZones } from '../../common/time-zones';
import { fromDbContingent, fromDbContingentStatus, type DbContingentRow } from './contingents.mapping';
import type { ContingentsRepository } from './contingents.repository';
import type { Contingent, ContingentStatus, SetContingentInput } from './contingents.types';
import { checkContingentId, checkContingentsArgs, checkSetContingentInput } from './contingents.validation';

const UNIQUE_VIOLATION = '23505';
const DEADLOCK = '40P01';

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
    const { meterId } = await checkContingentsArgs(args, problems, this.catalog);
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
    const { id, row } = await checkSetContingentInput(input, problems, {
      zones: this.zones,
      catalog: this.catalog,
      repository: this.repository,
    });
    problems.throwIfAny();

    const conflict = (error: unknown) => [EXCLUSION_VIOLATION, UNIQUE_VIOLATION].includes((error as { code?: string }).code ?? '');
    try {
      if (id == null) {
        // Two identical settings at once may both pass the unique key's check, and the second
        // then fails on the exclusion constraint instead (or, waiting on each other's rows, one
        // is chosen as a deadlock's victim); once the first committed, another try finds it by
        // the unique key and updates it. A real overlap fails every try.
        const upsert = async (tries: number): Promise<DbContingentRow> => {
          try {
            return await this.repository.upsert(row);
          } catch (error) {
            if (tries <= 1 || !(conflict(error) || (error as { code?: string }).code === DEADLOCK)) throw error;
            return upsert(tries - 1);
          }
        };
        const upserted = await upsert(4);
        return fromDbContingent(upserted);
      }
      const updated = await this.repository.update(id, row);
      if (!updated) throw new ValidationError([{ path: ['input', 'id'], message: `no contingent has the id ${id}` }]);
      return fromDbContingent(updated);
    } catch (error) {
      if (!conflict(error)) throw error;
      const other = await this.repository.overlapping(row, id ?? null);
      const what = other ? describe(other, input.meter) : 'another contingent';
      throw new ValidationError([
        {
          path: ['input', 'from'],
          message: `[from, to) overlaps ${what}; the contingents of one project, meter and compute project never overlap`,
        },
      ]);
    }
  }

  /** Deletes a contingent; false when there was none with this id. */
  async delete(id: string): Promise<boolean> {
    const problems = new Problems();
    const key = checkContingentId(id, problems, ['id']);
    problems.throwIfAny();
    return this.repository.delete(key!);
  }
}
