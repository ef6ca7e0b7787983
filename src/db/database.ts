import { Pool, type PoolClient } from 'pg';
import { PrismaPg } from '@prisma/adapter-pg';
import { infrastructureError, UnavailableError } from '../errors/errors';
import { PrismaClient } from '../generated/prisma/client';

/**
 * One pg pool per process, shared by Prisma (through its driver adapter) and by the
 * repositories whose SQL Prisma cannot express (set-based upserts, aggregates).
 */
export interface Database {
  pool: Pool;
  prisma: PrismaClient;
  /**
   * Runs fn in one transaction on one connection: committed if it returns, rolled back if it throws.
   * A connection lost while COMMIT is in flight fails with UnavailableError of outcome 'unknown'.
   */
  transaction<T>(fn: (client: PoolClient) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

const RETRYABLE = new Set(['40P01', '40001']);
const ignore = () => undefined;
const MAX_ATTEMPTS = 5;
// pg refuses a query on a connection it already knows is lost without sending it.
const NOT_SENT = /not queryable/;

/**
 * Whether a COMMIT failed with its outcome unknown: the connection went away after it was sent,
 * perhaps after the server had committed. A COMMIT refused by the server (a serialization
 * failure, a deferred constraint) rolled back; one pg never sent found the server gone, and a
 * transaction whose connection ends is rolled back.
 */
function commitOutcomeUnknown(error: unknown): boolean {
  return infrastructureError(error) instanceof UnavailableError && !NOT_SENT.test((error as { message?: string }).message ?? '');
}

export function connectDatabase(connectionString: string, options: { max?: number; statementTimeoutMs?: number } = {}): Database {
  const pool = new Pool({ connectionString, max: options.max ?? 10, statement_timeout: options.statementTimeoutMs || undefined });
  // An idle client that loses its server (a restart) must not crash the process.
  pool.on('error', () => undefined);
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  return {
    pool,
    prisma,
    async transaction(fn) {
      for (let attempt = 1; ; attempt++) {
        const client = await pool.connect();
        // The server may end the connection while it is checked out; the failure then reaches
        // the query in progress, and an unheard 'error' event must not end the process.
        client.on('error', ignore);
        let failed: Error | undefined;
        let committing = false;
        try {
          await client.query('BEGIN');
          const result = await fn(client);
          committing = true;
          await client.query('COMMIT');
          return result;
        } catch (error) {
          failed = error as Error;
          if (committing && commitOutcomeUnknown(error)) throw new UnavailableError('unknown', { cause: error });
          await client.query('ROLLBACK').catch(() => undefined);
          // A deadlock or serialization failure rolled everything back: running it again is safe.
          if (!RETRYABLE.has((error as { code?: string }).code ?? '') || attempt === MAX_ATTEMPTS) throw error;
          await new Promise((resolve) => setTimeout(resolve, 10 * attempt + Math.random() * 20 * attempt));
        } finally {
          // A connection that failed may be broken (the server went away): it is closed, not reused.
          client.off('error', ignore);
          client.release(failed);
        }
      }
    },
    async close() {
      await prisma.$disconnect();
      await pool.end();
    },
  };
}
