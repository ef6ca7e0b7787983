import DataLoader from 'dataloader';
import type { ResourcesService } from './resources.service';
import type { Resource, ResourceMetadataVersion } from './resources.types';

export function createResourceLoaders(resources: ResourcesService) {
  return {
    resource: new DataLoader<number, Resource>((keys) => resources.byKeys(keys)),
    metadataAt: new DataLoader<{ resource: number; at: Date | null }, Record<string, unknown> | null, string>(
      (keys) => resources.metadataAt(keys),
      { cacheKeyFn: (k) => `${k.resource}@${k.at?.getTime() ?? 'now'}` },
    ),
    history: new DataLoader<number, ResourceMetadataVersion[]>((ids) => resources.histories(ids)),
  };
}
