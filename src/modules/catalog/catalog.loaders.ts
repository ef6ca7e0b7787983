import DataLoader from 'dataloader';
import type { CatalogService } from './catalog.service';
import type { Meter } from './catalog.types';

export function createCatalogLoaders(catalog: CatalogService) {
  return {
    metersOfComponent: new DataLoader<string, Meter[]>((names) => catalog.metersOfComponents(names)),
  };
}
