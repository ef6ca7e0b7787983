import { Arg, Authorized, Ctx, Query, Resolver } from 'type-graphql';
import type { Context } from '../../context';
import { ADMIN, READER, callerOf } from '../auth/auth.checker';
import { ChargebackInput, ChargebackReport } from './chargeback.types';

@Resolver()
export class ChargebackResolver {
  @Query(() => ChargebackReport, {
    description:
      'Per project (or resource), day or whole range, and currency: allocation time, allocation cost at the prices valid ' +
      'when the usage happened, fixed costs and the total. One SQL statement.',
  })
  @Authorized(ADMIN, READER)
  chargeback(@Arg('input', () => ChargebackInput) input: ChargebackInput, @Ctx() ctx: Context): Promise<ChargebackReport> {
    return ctx.services.chargeback.report(callerOf(ctx), input);
  }
}
