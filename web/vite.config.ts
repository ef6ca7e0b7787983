import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import { readmeTabs } from './graphiql/readme-tabs.ts';

const web = path.dirname(fileURLToPath(import.meta.url));
const readme = path.resolve(web, '../README.md');

/** `virtual:readme-tabs`: the README's examples as GraphiQL tabs, read when the assets are built. */
function readmeTabsModule(): Plugin {
  const id = 'virtual:readme-tabs';
  return {
    name: 'meterql-readme-tabs',
    resolveId: (source) => (source === id ? `\0${id}` : null),
    load(resolved) {
      if (resolved !== `\0${id}`) return null;
      this.addWatchFile(readme);
      return `export default ${JSON.stringify(readmeTabs(readFileSync(readme, 'utf8')))};`;
    },
  };
}

/** The browser pages meterql serves, built into dist/web (scripts/build-web.js runs this). */
export default defineConfig({
  root: web,
  base: '/',
  publicDir: false,
  plugins: [readmeTabsModule()],
  oxc: { jsx: { runtime: 'automatic' } },
  worker: { format: 'es' },
  build: {
    outDir: path.resolve(web, '../dist/web'),
    emptyOutDir: true,
    sourcemap: false,
    // GraphiQL's editor (Monaco) and its language workers are large by nature.
    chunkSizeWarningLimit: 4096,
    rolldownOptions: {
      input: {
        graphiql: path.resolve(web, 'graphiql/index.html'),
        dashboard: path.resolve(web, 'dashboard/index.html'),
      },
      checks: { bundlerTimings: false },
      onwarn(warning, warn) {
        // Libraries' "use client" directives, which mean nothing outside React Server Components.
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE') return;
        warn(warning);
      },
    },
  },
});
