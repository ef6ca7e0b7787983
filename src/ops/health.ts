import type { Pool } from 'pg';
import { query, sql } from '../common/sql';
import { readMigrations } from '../db/migrate';

export interface PoolStats {
  /** Connections open, idle or checked out. */
  total: number;
  idle: number;
  /** Queries waiting for a connection because all `max` are checked out. */
  waiting: number;
  max: number;
}

export interface Readiness {
  ready: boolean;
  /** Each check's "ok", or why it failed. */
  checks: { database: string; migrations: string };
  /** The error behind a failed check, for the log (the answer names only its code). */
  cause?: unknown;
}

/**
 * Whether this process can serve: the database answers within a deadline, and every migration
 * this build ships is recorded as applied. A database ahead of the build (migrations it does not
 * know) is ready: that is a rolling deployment's older instance.
 */
export class DatabaseHealth {
  private expected: Promise<string[]> | undefined;

  constructor(
    private readonly pool: Pool,
    private readonly options: { timeoutMs: number; migrationsDir?: string },
  ) {}

  poolStats(): PoolStats {
    return { total: this.pool.totalCount, idle: this.pool.idleCount, waiting: this.pool.waitingCount, max: this.pool.options.max ?? 10 };
  }

  async readiness(): Promise<Readiness> {
    const { timeoutMs } = this.options;
    const checks = { database: 'not checked', migrations: 'not checked' };
    let stage: keyof typeof checks = 'database';
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new DeadlineError(timeoutMs)), timeoutMs);
    });
    deadline.catch(() => undefined);
    try {
      await Promise.race([this.pool.query(query(sql`SELECT 1`)), deadline]);
      checks.database = 'ok';
      stage = 'migrations';
      this.expected ??= readMigrations(this.options.migrationsDir).then((list) => list.map((m) => m.name));
      const [expected, { rows }] = await Promise.race([
        Promise.all([
          this.expected,
          this.pool.query<{ name: string }>(
            query(sql`SELECT migration_name AS name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`),
          ),
        ]),
        deadline,
      ]);
      const applied = new Set(rows.map((r) => r.name));
      const missing = expected.filter((name) => !applied.has(name));
      checks.migrations = missing.length === 0 ? 'ok' : `not applied: ${missing.join(', ')}`;
      return { ready: missing.length === 0, checks };
    } catch (error) {
      checks[stage] = reason(stage, error);
      if (stage === 'database') checks.migrations = 'not checked: no database';
      return { ready: false, checks, cause: error };
    } finally {
      clearTimeout(timer);
    }
  }
}

class DeadlineError extends Error {
  constructor(readonly ms: number) {
    super(`no answer within ${ms} ms`);
  }
}

/** A failure named by its code only: an unauthenticated endpoint shows no hosts, users or SQL. */
function reason(stage: 'database' | 'migrations', error: unknown): string {
  if (error instanceof DeadlineError) return `no answer within ${error.ms} ms`;
  const code = (error as { code?: unknown }).code;
  if (stage === 'migrations' && code === '42P01') return 'not applied: no _prisma_migrations table';
  const suffix = typeof code === 'string' && /^[A-Z0-9_]{1,40}$/.test(code) ? ` (${code})` : '';
  return stage === 'database' ? `unreachable${suffix}` : `could not be read${suffix}`;
}
