import { Client } from 'pg';

export default async function globalTeardown(): Promise<void> {
  const demo = process.env.MQL_TEST_DEMO_TEMPLATE;
  if (demo) {
    const admin = new Client({ connectionString: process.env.MQL_TEST_ADMIN_URL });
    await admin.connect();
    try {
      await admin.query(`DROP DATABASE IF EXISTS ${admin.escapeIdentifier(demo)}`);
    } finally {
      await admin.end();
    }
  }
  await globalThis.__MQL_EMBEDDED__?.stop();
}
