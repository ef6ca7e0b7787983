import DataLoader from 'dataloader';
import type { CatalogService } from './catalog.service';
import type { Meter } from './catalog.types';

export function createCatalogLoaders(catalog: CatalogService) {
  return {
    meter: new DataLoader<number, Meter>((ids) => catalog.metersByIds(ids)),
    metersOfComponent: new DataLoader<string, Meter[]>((names) => catalog.metersOfComponents(names)),
  };
}
