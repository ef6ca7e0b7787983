import { Arg, Authorized, Ctx, Mutation, Resolver } from 'type-graphql';
import { ADMIN, REPORTER, callerOf } from '../auth/auth.checker';
import type { Context } from '../../context';
import { ReportUsagePayload, UsageReportInput } from './ingestion.types';

@Resolver()
export class IngestionResolver {
  @Mutation(() => ReportUsagePayload, {
    description:
      'Stores usage reports. A report whose match key matches a stored one overwrites it; resending identical ' +
      'content changes nothing. A batch is atomic: one invalid report and nothing is written.',
  })
  @Authorized(ADMIN, REPORTER)
  reportUsage(@Arg('reports', () => [UsageReportInput]) reports: UsageReportInput[], @Ctx() ctx: Context): Promise<ReportUsagePayload> {
    return ctx.services.ingestion.reportUsage(callerOf(ctx), reports);
  }
}
