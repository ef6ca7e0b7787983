import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config';
import { connectDatabase } from '../db/database';
import { openDatabase } from '../db/open';
import { ValidationError } from '../errors/errors';
import { AuthRepository } from '../modules/auth/auth.repository';
import { AuthService } from '../modules/auth/auth.service';

const USAGE = `Usage:
  npm run keys -- create --role admin|reporter|reader [--project NAME ...] [--description TEXT]
  npm run keys -- list
  npm run keys -- revoke KEY_ID

A reporter may report usage and version resource metadata; a reader may read usage; an admin may do
everything. Reporter and reader keys may be limited to projects (--project, repeated).`;

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      role: { type: 'string' },
      project: { type: 'string', multiple: true },
      description: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  const [command, ...rest] = positionals;
  if (values.help || !command || !['create', 'list', 'revoke'].includes(command) || (command === 'revoke' && rest.length !== 1)) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }

  const config = loadConfig();
  // A running meterql's embedded database is used as it is; otherwise one is started for this command.
  const database = await openDatabase(config, () => undefined, { shareRunning: true });
  const db = connectDatabase(database.url, { max: 1 });
  const auth = new AuthService(new AuthRepository(db.prisma), { anonymousAdmin: false, cacheMs: 0 });
  try {
    if (command === 'create') {
      if (!values.role) {
        console.error('--role is required');
        return 2;
      }
      const { token, key } = await auth.createKey({ role: values.role, projects: values.project ?? [], description: values.description });
      console.log(`Created ${key.role.toLowerCase()} key ${key.id}${key.projects.length ? ` for ${key.projects.join(', ')}` : ''}.`);
      console.log('Its secret is shown now and never again; send it as "Authorization: Bearer <key>":');
      console.log(token);
    } else if (command === 'list') {
      const keys = await auth.listKeys();
      console.log(['id'.padEnd(12), 'role'.padEnd(8), 'created'.padEnd(24), 'revoked'.padEnd(24), 'projects / description'].join('  '));
      for (const k of keys) {
        console.log(
          [
            k.id.padEnd(12),
            k.role.toLowerCase().padEnd(8),
            k.createdAt.toISOString().padEnd(24),
            (k.revokedAt?.toISOString() ?? '-').padEnd(24),
            [k.projects.length ? k.projects.join(',') : '(all projects)', k.description].filter(Boolean).join(' / '),
          ].join('  '),
        );
      }
    } else {
      const revoked = await auth.revokeKey(rest[0]);
      console.log(revoked ? `Revoked key ${rest[0]}.` : `No active key ${rest[0]}.`);
      return revoked ? 0 : 1;
    }
    return 0;
  } catch (error) {
    if (error instanceof ValidationError) {
      console.error(error.message);
      return 2;
    }
    throw error;
  } finally {
    await db.close();
    await database.release();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  },
);
