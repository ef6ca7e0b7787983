import path from 'node:path';
import { startEmbeddedPostgres } from '../../src/db/embedded';

export default async function globalSetup(): Promise<void> {
  const server = await startEmbeddedPostgres({ dir: path.resolve(__dirname, '../../.data/test'), port: 54330, log: console.log });
  console.log(server.adminUrl);
  (globalThis as any).__server = server;
}
