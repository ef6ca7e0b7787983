import DataLoader from 'dataloader';
import type { ResourcesService } from './resources.service';
import type { Resource, ResourceMetadataVersion } from './resources.types';

export function createResourceLoaders(resources: ResourcesService) {
  return {
    /** A resource reached through a record of a project: null unless it is that project's. */
    resource: new DataLoader<{ resource: number; project: number }, Resource | null, string>((keys) => resources.byKeys(keys), {
      cacheKeyFn: (k) => `${k.resource}/${k.project}`,
    }),
    metadataAt: new DataLoader<{ resource: number; project: number | null; at: Date | null }, Record<string, unknown> | null, string>(
      (keys) => resources.metadataAt(keys),
      { cacheKeyFn: (k) => `${k.resource}/${k.project ?? ''}@${k.at?.getTime() ?? 'now'}` },
    ),
    history: new DataLoader<number, ResourceMetadataVersion[]>((ids) => resources.histories(ids)),
  };
}
