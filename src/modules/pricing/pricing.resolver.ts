import { Arg, Authorized, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import type { Context } from '../../context';
import { DateTimeScalar } from '../../common/scalars';
import { ADMIN, READER, callerOf } from '../auth/auth.checker';
import { FixedCost, PriceCard, SetFixedCostInput, SetPriceInput } from './pricing.types';

@Resolver()
export class PricingResolver {
  @Query(() => [PriceCard], { description: "Price cards, with their history: every version, or a meter's; with `at`, those valid then." })
  @Authorized(ADMIN, READER)
  prices(
    @Ctx() ctx: Context,
    @Arg('meter', () => String, { nullable: true }) meter?: string | null,
    @Arg('at', () => DateTimeScalar, { nullable: true }) at?: Date | null,
  ): Promise<PriceCard[]> {
    return ctx.services.pricing.prices({ meter, at });
  }

  @Query(() => [FixedCost], { description: "Fixed costs of the caller's projects, with their history; with `at`, those valid then." })
  @Authorized(ADMIN, READER)
  fixedCosts(
    @Ctx() ctx: Context,
    @Arg('project', () => String, { nullable: true }) project?: string | null,
    @Arg('at', () => DateTimeScalar, { nullable: true }) at?: Date | null,
  ): Promise<FixedCost[]> {
    return ctx.services.pricing.fixedCosts(callerOf(ctx), { project, at });
  }

  @Mutation(() => PriceCard, {
    description: 'Sets the price of a meter from an instant on. Idempotent. The cost of past usage follows at once.',
  })
  @Authorized(ADMIN)
  setPrice(@Arg('input', () => SetPriceInput) input: SetPriceInput, @Ctx() ctx: Context): Promise<PriceCard> {
    return ctx.services.pricing.setPrice(input);
  }

  @Mutation(() => Boolean, { description: 'Removes a price card set by mistake; false when there is none with the id.' })
  @Authorized(ADMIN)
  deletePrice(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<boolean> {
    return ctx.services.pricing.deletePrice(id);
  }

  @Mutation(() => FixedCost, { description: 'Sets a fixed cost of a project or resource from an instant on. Idempotent.' })
  @Authorized(ADMIN)
  setFixedCost(@Arg('input', () => SetFixedCostInput) input: SetFixedCostInput, @Ctx() ctx: Context): Promise<FixedCost> {
    return ctx.services.pricing.setFixedCost(input);
  }

  @Mutation(() => Boolean, { description: 'Removes a fixed cost version; false when there is none with the id.' })
  @Authorized(ADMIN)
  deleteFixedCost(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<boolean> {
    return ctx.services.pricing.deleteFixedCost(callerOf(ctx), id);
  }
}
