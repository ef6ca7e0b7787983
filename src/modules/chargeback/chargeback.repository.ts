import type { Pool } from 'pg';
import { prepared } from '../../common/sql';
import type { DbChargebackRow } from './chargeback.mapping';
import { chargebackSql, type ChargebackQuery } from './chargeback.sql';

export class ChargebackRepository {
  constructor(private readonly pool: Pool) {}

  async report(q: ChargebackQuery): Promise<DbChargebackRow[]> {
    return (await this.pool.query<DbChargebackRow>(prepared(chargebackSql(q)))).rows;
  }
}
