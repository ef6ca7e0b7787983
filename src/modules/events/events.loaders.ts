import DataLoader from 'dataloader';
import type { EventsService } from './events.service';
import type { AdditionalMetric } from './events.types';

export function createEventLoaders(events: EventsService) {
  return {
    metrics: new DataLoader<string, AdditionalMetric[]>((ids) => events.metricsOf(ids)),
  };
}
