// Builds the browser pages (web/: GraphiQL and the dashboard) into dist/web with Vite, unless
// nothing they are built from has changed since the last build, so that `npm start` stays quick.
const { createHash } = require('node:crypto');
const { existsSync, readdirSync, readFileSync, writeFileSync } = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const outDir = path.join(root, 'dist', 'web');
const stamp = path.join(outDir, '.inputs-sha256');

function files(dir) {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => (entry.isDirectory() ? files(path.join(dir, entry.name)) : [path.join(dir, entry.name)]))
    .sort();
}

// The sources, the README (GraphiQL's tabs are its examples) and the locked versions of the packages.
function inputsDigest() {
  const hash = createHash('sha256');
  for (const file of [...files(path.join(root, 'web')), path.join(root, 'README.md'), path.join(root, 'package-lock.json')]) {
    hash.update(path.relative(root, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex');
}

async function main() {
  const digest = inputsDigest();
  const built = ['graphiql', 'dashboard'].every((page) => existsSync(path.join(outDir, page, 'index.html')));
  if (built && existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === digest) return;
  const started = Date.now();
  console.log('[meterql] building the web pages (GraphiQL, dashboard) into dist/web ...');
  const { build } = await import('vite');
  await build({ configFile: path.join(root, 'web', 'vite.config.ts'), logLevel: 'warn' });
  writeFileSync(stamp, `${digest}\n`);
  console.log(`[meterql] built the web pages (GraphiQL, dashboard) into dist/web in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

main().catch((error) => {
  console.error(`[meterql] building the web pages failed: ${error instanceof Error ? error.stack : String(error)}`);
  process.exit(1);
});
