import type { Database } from '../../db/database';
import type { RollupsRepository } from './rollups.repository';

export interface RollupOptions {
  /** Zones whose day and month rollups are kept (hour rollups serve every whole-hour zone). */
  timeZones: string[];
  /** Dirty hours recomputed per transaction. */
  hoursPerRound: number;
  /** From this many dirty hours on, all rollups are rebuilt in one pass instead. */
  rebuildFrom: number;
}

/**
 * Keeps rollups current. Statistics never wait for it: while an hour is dirty, queries over it
 * read events; this service only makes the fast path available again soon after a change.
 */
export class RollupsService {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;

  constructor(
    private readonly db: Database,
    private readonly repository: RollupsRepository,
    private readonly options: RollupOptions,
  ) {}

  /** Builds the day and month rollups of configured zones that have none, and drops the others'. */
  async ensureZones(log: (message: string) => void = () => undefined): Promise<void> {
    const built = await this.db.transaction((client) => this.repository.zones(client));
    for (const zone of this.options.timeZones.filter((z) => !built.includes(z))) {
      log(`building day and month rollups for ${zone} ...`);
      await this.db.transaction((client) => this.repository.buildZone(client, zone));
    }
    for (const zone of built.filter((z) => !this.options.timeZones.includes(z))) {
      await this.db.transaction((client) => this.repository.dropZone(client, zone));
    }
  }

  /** Recomputes every dirty hour; returns how many there were. One refresh runs at a time. */
  refresh(): Promise<number> {
    this.running ??= (async () => {
      try {
        if ((await this.db.transaction((client) => this.repository.dirtyHours(client))) >= this.options.rebuildFrom) {
          return await this.db.transaction((client) => this.repository.rebuildAll(client));
        }
        let total = 0;
        for (;;) {
          const done = await this.db.transaction((client) => this.repository.refresh(client, this.options.hoursPerRound));
          total += done;
          if (done < this.options.hoursPerRound) return total;
        }
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  /** Refreshes in the background every intervalMs until stop(). Failures wait for the next round. */
  start(intervalMs: number, onError: (error: unknown) => void): void {
    this.timer = setInterval(() => void this.refresh().catch(onError), intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }
}
