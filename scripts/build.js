#!/usr/bin/env node
// What `npm start`, the CLIs and `npm test` run first: src/ compiled into dist/ (tsc -b, which
// compiles only what changed), then the web pages (build-web.js). A first compile takes up to a
// minute on a slow machine, so it is announced; when nothing the compiler reads is newer than its
// last build, the compiler is not even loaded, so that a CLI on a built checkout answers at once.
'use strict';
const { spawnSync } = require('node:child_process');
const { existsSync, readdirSync, statSync, utimesSync } = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const buildInfo = path.join(root, 'dist', '.tsbuildinfo');
const inputs = [path.join(root, 'src'), ...['tsconfig.json', 'tsconfig.build.json', 'package-lock.json'].map((f) => path.join(root, f))];

/** The newest modification time under a file or folder. */
function newest(file) {
  const stat = statSync(file);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(file).reduce((latest, name) => Math.max(latest, newest(path.join(file, name))), stat.mtimeMs);
}

function compile() {
  if (existsSync(buildInfo) && newest(buildInfo) >= Math.max(...inputs.map(newest))) return;
  const first = !existsSync(buildInfo);
  if (first) console.log('[meterql] compiling src/ into dist/ with TypeScript (the first build takes up to a minute) ...');
  const started = Date.now();
  const tsc = require.resolve('typescript/bin/tsc');
  const result = spawnSync(process.execPath, [tsc, '-b', path.join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
  if (result.status !== 0) {
    console.error('[meterql] compiling failed: the errors are above');
    process.exit(result.status ?? 1);
  }
  // tsc -b leaves an up-to-date build as it is: its stamp is renewed so that the next run skips it.
  const now = new Date();
  if (existsSync(buildInfo)) utimesSync(buildInfo, now, now);
  const seconds = (Date.now() - started) / 1000;
  if (first || seconds >= 2) console.log(`[meterql] compiled src/ into dist/ in ${seconds.toFixed(1)} s`);
}

compile();
require('./build-web.js');
