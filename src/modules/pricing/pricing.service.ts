import type { PoolClient } from 'pg';
import type { Database } from '../../db/database';
import { EXCLUSION_VIOLATION } from '../../db/versions';
import { Problems, ValidationError } from '../../errors/errors';
import { visibleProjects, type Caller } from '../auth/auth.types';
import type { CatalogService } from '../catalog/catalog.service';
import { fromDbFixedCost, fromDbPriceCard } from './pricing.mapping';
import type { PricingRepository } from './pricing.repository';
import type { FixedCost, PriceCard, SetFixedCostInput, SetPriceInput } from './pricing.types';
import { checkSetFixedCostInput, checkSetPriceInput, isPricingId } from './pricing.validation';

/** Prices of meters and fixed costs of projects, both versioned by validity. Costs are computed at query time. */
export class PricingService {
  constructor(
    private readonly db: Database,
    private readonly repository: PricingRepository,
    private readonly catalog: CatalogService,
  ) {}

  /** Every card, or a meter's; with `at`, only those valid then. Prices are not secret: any reader sees them. */
  async prices(filter: { meter?: string | null; at?: Date | null }): Promise<PriceCard[]> {
    return (await this.repository.prices({ meter: filter.meter ?? null, at: filter.at ?? null, ids: null })).map(fromDbPriceCard);
  }

  /** For the loader of the cards a statistics row used. */
  async pricesByIds(ids: readonly string[]): Promise<PriceCard[]> {
    const cards = (await this.repository.prices({ meter: null, at: null, ids })).map(fromDbPriceCard);
    return ids.map((id) => cards.find((c) => c.id === id)!);
  }

  async fixedCosts(caller: Caller, filter: { project?: string | null; at?: Date | null }): Promise<FixedCost[]> {
    const rows = await this.repository.fixedCosts({
      visible: visibleProjects(null, caller),
      project: filter.project ?? null,
      at: filter.at ?? null,
    });
    return rows.map(fromDbFixedCost);
  }

  async setPrice(input: SetPriceInput): Promise<PriceCard> {
    const problems = new Problems();
    const { meterId } = await checkSetPriceInput(input, problems, this.catalog);
    problems.throwIfAny();
    const key = { meterId, partition: input.partition ?? null, priority: input.priority ?? null };
    const id = await this.versioned(input, `price card of meter "${input.meter}"`, async (client) => {
      await this.repository.lockMeter(client, meterId);
      const others = (await this.repository.otherCurrencies(client, key, input.validFrom)).filter((c) => c !== input.currency);
      if (others.length > 0) {
        throw new ValidationError([
          {
            path: ['input', 'currency'],
            message: `meter "${input.meter}" is priced in ${others.join(', ')}; every card of a meter has the same currency`,
          },
        ]);
      }
      return this.repository.setPrice(client, {
        ...key,
        unitPrice: input.unitPrice,
        currency: input.currency,
        validFrom: input.validFrom,
        validTo: input.validTo ?? null,
        description: input.description ?? null,
      });
    });
    return (await this.pricesByIds([id]))[0];
  }

  async setFixedCost(input: SetFixedCostInput): Promise<FixedCost> {
    const problems = new Problems();
    checkSetFixedCostInput(input, problems);
    problems.throwIfAny();
    const id = await this.versioned(input, `fixed cost "${input.name}"`, async (client) => {
      const owner = await this.repository.fixedCostOwner(client, input.project, input.resource ?? null);
      if (input.resource != null && owner.resourceProject !== input.project) {
        throw new ValidationError([
          {
            path: ['input', 'resource'],
            message: `resource "${input.resource}" belongs to ${owner.resourceProject ? `project "${owner.resourceProject}"` : 'no project'}, not "${input.project}"`,
          },
        ]);
      }
      return this.repository.setFixedCost(client, {
        projectId: owner.projectId,
        resourceId: owner.resourceId,
        name: input.name,
        amount: input.amount,
        currency: input.currency,
        per: input.per,
        validFrom: input.validFrom,
        validTo: input.validTo ?? null,
        description: input.description ?? null,
      });
    });
    return fromDbFixedCost((await this.repository.fixedCostsByIds([id]))[0]);
  }

  /** Removes a card, as when it was set by mistake: the usage it priced is unpriced again, or priced by a wider card. */
  deletePrice(id: string): Promise<boolean> {
    return isPricingId(id) ? this.repository.deletePrice(id) : Promise.resolve(false);
  }

  deleteFixedCost(caller: Caller, id: string): Promise<boolean> {
    return isPricingId(id) ? this.repository.deleteFixedCost(id, visibleProjects(null, caller)) : Promise.resolve(false);
  }

  /** Runs a versioned write in a transaction; an overlap with a closed version is the caller's mistake, said so. */
  private async versioned<T>(
    input: { validFrom: Date; validTo?: Date | null },
    what: string,
    write: (client: PoolClient) => Promise<T>,
  ): Promise<T> {
    try {
      return await this.db.transaction(write);
    } catch (error) {
      if ((error as { code?: string }).code !== EXCLUSION_VIOLATION) throw error;
      const span = `[${input.validFrom.toISOString()}, ${input.validTo?.toISOString() ?? 'open'})`;
      throw new ValidationError([
        {
          path: ['input', 'validFrom'],
          message: `${span} overlaps a closed version of this ${what}; versions never overlap (end that one first, or choose other dates)`,
        },
      ]);
    }
  }
}
