#!/usr/bin/env node
// Generates the Prisma client (src/generated/prisma). Generation needs no schema engine, but
// the Prisma CLI downloads one before any command unless PRISMA_SCHEMA_ENGINE_BINARY names
// one; on an offline machine that download fails, so point it at a stand-in that refuses work.
'use strict';
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const env = { ...process.env };
env.PRISMA_SCHEMA_ENGINE_BINARY ??= path.join(__dirname, 'no-schema-engine.sh');
const cli = require.resolve('prisma/build/index.js');
const result = spawnSync(process.execPath, [cli, 'generate'], { stdio: 'inherit', env });
process.exit(result.status ?? 1);
