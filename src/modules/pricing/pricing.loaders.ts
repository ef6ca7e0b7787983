import DataLoader from 'dataloader';
import type { PricingService } from './pricing.service';
import type { PriceCard } from './pricing.types';

export function createPricingLoaders(pricing: PricingService) {
  return {
    price: new DataLoader<string, PriceCard>((ids) => pricing.pricesByIds(ids)),
  };
}
