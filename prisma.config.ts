import { defineConfig } from 'prisma/config';

// Used by the Prisma CLI only. meterql itself applies prisma/migrations at start-up
// (src/db/migrate.ts); `npx prisma migrate deploy` works too where Prisma's engines are installed.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? '' },
});
