import type { Database } from '../../db/database';
import { EXCLUSION_VIOLATION } from '../../db/versions';
import { nameCursor, pageRequest, toPage, type Page } from '../../common/pagination';
import { ForbiddenError, Problems, ValidationError } from '../../errors/errors';
import { SYSTEM, visibleProjects, type Caller } from '../auth/auth.types';
import { fromDbMetadata, fromDbResource, type DbResourceRow } from './resources.mapping';
import { foreignResource } from './ownership';
import type { ResourcesRepository } from './resources.repository';
import type { Resource, ResourceFilter, ResourceMetadataVersion, SetResourceMetadataInput } from './resources.types';

/** Resources are paged in the order of their ids. */
const RESOURCE_CURSOR = nameCursor((row: DbResourceRow) => row.external_id);

export class ResourcesService {
  constructor(
    private readonly db: Database,
    private readonly repository: ResourcesRepository,
    private readonly limits: { maxPageSize: number },
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** The resource, if it exists and the caller may see it: otherwise null, whichever it is. */
  async resource(caller: Caller, id: string): Promise<Resource | null> {
    const [row] = await this.repository.byExternalIds([id], visibleProjects(null, caller));
    return row ? fromDbResource(row) : null;
  }

  async resources(
    caller: Caller,
    filter: ResourceFilter | null | undefined,
    page: { first?: number | null; after?: string | null },
  ): Promise<Page<Resource>> {
    const problems = new Problems();
    const { first, after } = pageRequest(page, problems, { maxPageSize: this.limits.maxPageSize, cursor: RESOURCE_CURSOR });
    problems.throwIfAny();
    const rows = await this.repository.list({
      visible: visibleProjects(null, caller),
      project: filter?.project ?? null,
      user: filter?.user ?? null,
      type: filter?.type ?? null,
      metadata: filter?.metadata ?? null,
      at: filter?.at ?? this.now(),
      after: after ?? null,
      limit: first + 1,
    });
    return toPage(rows, first, RESOURCE_CURSOR, fromDbResource);
  }

  /**
   * For the resource loader: resources by row id, in key order, each only if it belongs to the
   * project of the record that reached it (else null): a record that names another project's
   * resource, stored before ownership was enforced, shows nothing of it.
   */
  async byKeys(keys: readonly { resource: number; project: number }[]): Promise<(Resource | null)[]> {
    const rows = new Map((await this.repository.byIds(keys.map((k) => k.resource))).map((r) => [r.id, r]));
    return keys.map((key) => {
      const row = rows.get(key.resource);
      return row && row.project_id === key.project ? fromDbResource(row) : null;
    });
  }

  /**
   * For the metadata(at) loader: the metadata valid at each key's instant (default now), in key
   * order; a key with a project (reached through a record) only of a resource of that project.
   */
  async metadataAt(
    keys: readonly { resource: number; project: number | null; at: Date | null }[],
  ): Promise<(Record<string, unknown> | null)[]> {
    const now = this.now();
    const rows = await this.repository.metadataAt(keys.map((k) => ({ resource: k.resource, project: k.project, at: k.at ?? now })));
    const byIndex = new Map(rows.map((r) => [Number(r.idx), r.metadata]));
    return keys.map((_, i) => byIndex.get(i + 1) ?? null);
  }

  async histories(resourceIds: readonly number[]): Promise<ResourceMetadataVersion[][]> {
    const rows = await this.repository.history(resourceIds);
    return resourceIds.map((id) => rows.filter((r) => r.resource_id === id).map(fromDbMetadata));
  }

  async setMetadata(caller: Caller, input: SetResourceMetadataInput): Promise<{ resource: Resource; version: ResourceMetadataVersion }> {
    const problems = new Problems();
    if (input.resource.trim() === '' || input.resource.length > 256) {
      problems.add(['input', 'resource'], 'must be a non-blank string of at most 256 characters');
    }
    if (input.project != null && (input.project.trim() === '' || input.project.length > 256)) {
      problems.add(['input', 'project'], 'must be a non-blank string of at most 256 characters');
    }
    problems.throwIfAny();
    const project = input.project ?? null;
    if (caller.projects && project !== null && !caller.projects.includes(project)) {
      throw new ForbiddenError(`This key may not version resources of project "${project}"`);
    }
    try {
      const version = await this.db.transaction(async (client) => {
        const owner = await this.repository.claim(client, { resource: input.resource, type: input.type ?? null, project });
        // Checked after the claim, in its transaction, so that a concurrent claim cannot slip in between.
        if (caller.projects && owner.project === null) {
          throw new ForbiddenError(
            'This key may version only resources of its projects; name one of them as input.project for a new resource',
          );
        }
        const mine = project !== null ? owner.project === project : !caller.projects || caller.projects.includes(owner.project!);
        if (!mine) throw new ValidationError([{ path: ['input', 'resource'], message: foreignResource(input.resource) }]);
        return this.repository.addVersion(client, owner.id, input.validFrom, input.metadata);
      });
      return { resource: (await this.resource(SYSTEM, input.resource))!, version: fromDbMetadata(version) };
    } catch (error) {
      if ((error as { code?: string }).code !== EXCLUSION_VIOLATION) throw error;
      const closed = await this.repository.versionContaining(input.resource, input.validFrom);
      const span = closed ? ` [${closed.valid_from.toISOString()}, ${closed.valid_to?.toISOString() ?? 'open'})` : '';
      throw new ValidationError([
        {
          path: ['input', 'validFrom'],
          message: `falls inside the closed metadata version${span} of resource "${input.resource}"; versions never overlap`,
        },
      ]);
    }
  }
}
