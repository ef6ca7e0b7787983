import type { Database } from '../../db/database';
import { pageRequest, toPage, type Page } from '../../common/pagination';
import { Problems, ValidationError } from '../../errors/errors';
import { fromDbMetadata, fromDbResource } from './resources.mapping';
import type { ResourcesRepository } from './resources.repository';
import type { Resource, ResourceFilter, ResourceMetadataVersion, SetResourceMetadataInput } from './resources.types';

const EXCLUSION_VIOLATION = '23P01';

export class ResourcesService {
  constructor(
    private readonly db: Database,
    private readonly repository: ResourcesRepository,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async resource(id: string): Promise<Resource | null> {
    const [row] = await this.repository.byExternalIds([id]);
    return row ? fromDbResource(row) : null;
  }

  async resources(filter: ResourceFilter | null | undefined, page: { first?: number | null; after?: string | null }): Promise<Page<Resource>> {
    const problems = new Problems();
    const { first, after } = pageRequest(page, problems);
    if (after && typeof after[0] !== 'string') problems.add(['after'], 'is not a cursor returned by this query');
    problems.throwIfAny();
    const rows = await this.repository.list({
      project: filter?.project ?? null,
      user: filter?.user ?? null,
      type: filter?.type ?? null,
      metadata: filter?.metadata ?? null,
      at: filter?.at ?? this.now(),
      after: (after?.[0] as string | undefined) ?? null,
      limit: first + 1,
    });
    return toPage(rows, first, (r) => [r.external_id], fromDbResource);
  }

  /** For the metadata(at) loader: the version valid at each key's instant, in key order. */
  async metadataAt(keys: readonly { resource: number; at: Date | null }[]): Promise<(Record<string, unknown> | null)[]> {
    const byInstant = new Map<number, { at: Date; resources: number[] }>();
    const now = this.now();
    for (const key of keys) {
      const at = key.at ?? now;
      const group = byInstant.get(at.getTime()) ?? { at, resources: [] };
      group.resources.push(key.resource);
      byInstant.set(at.getTime(), group);
    }
    const found = new Map<string, Record<string, unknown>>();
    for (const [time, group] of byInstant) {
      for (const row of await this.repository.metadataAt(group.resources, group.at)) {
        found.set(`${row.resource_id}@${time}`, row.metadata);
      }
    }
    return keys.map((k) => found.get(`${k.resource}@${(k.at ?? now).getTime()}`) ?? null);
  }

  async histories(resourceIds: readonly number[]): Promise<ResourceMetadataVersion[][]> {
    const rows = await this.repository.history(resourceIds);
    return resourceIds.map((id) => rows.filter((r) => r.resource_id === id).map(fromDbMetadata));
  }

  async setMetadata(input: SetResourceMetadataInput): Promise<{ resource: Resource; version: ResourceMetadataVersion }> {
    const problems = new Problems();
    if (input.resource.trim() === '' || input.resource.length > 256) {
      problems.add(['input', 'resource'], 'must be a non-blank string of at most 256 characters');
    }
    problems.throwIfAny();
    try {
      const { version } = await this.db.transaction((client) =>
        this.repository.addVersion(client, {
          resource: input.resource,
          validFrom: input.validFrom,
          metadata: input.metadata,
          type: input.type ?? null,
        }),
      );
      return { resource: (await this.resource(input.resource))!, version: fromDbMetadata(version) };
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
