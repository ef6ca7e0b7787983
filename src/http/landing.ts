/** What the landing page knows of the server it describes. */
export interface LandingFacts {
  /** GraphiQL and the dashboard are built (dist/web). */
  built: boolean;
  /** The schema is served at /schema.graphql (introspection is on). */
  schema: boolean;
  /** Where the browser reached meterql: http://127.0.0.1:4000. */
  origin: string;
}

export const BUILD_COMMAND = 'npm run build';

/**
 * meterql's own landing page, at / and for a browser's GET of /graphql: everything inline, nothing
 * from another host, so that it works where only meterql can be reached.
 */
export function landingPage(facts: LandingFacts): string {
  const notBuilt = facts.built
    ? ''
    : `<p class="warn">GraphiQL and the dashboard are not built yet: run <code>${BUILD_COMMAND}</code> (or <code>npm start</code>, which builds them) in meterql's folder, then reload.</p>`;
  const schema = facts.schema
    ? `<li><a href="/schema.graphql">The schema</a><span>in GraphQL SDL: every type, field and argument, with its description.</span></li>`
    : '';
  return page(
    'meterql',
    `<h1>meterql</h1>
<p class="lead">A GraphQL API for usage metering. Send queries as <code>POST /graphql</code> with a JSON body <code>{"query": "...", "variables": {...}}</code>.</p>
${notBuilt}
<ul class="links">
  <li><a href="/graphiql">GraphiQL</a><span>explore the API in the browser: the README's examples ready to run, the schema's documentation, autocompletion.</span></li>
  <li><a href="/dashboard">Usage dashboard</a><span>usage per period and group as stacked charts, the top users or resources, and the raw events behind each bar.</span></li>
  ${schema}
</ul>
<p class="muted">Outside the local demo every request needs an API key: <code>Authorization: Bearer &lt;API key&gt;</code>.</p>
<pre>curl -s ${escapeHtml(facts.origin)}/graphql -H 'content-type: application/json' -d '{"query": "{ meters { name unit } }"}'</pre>`,
  );
}

/** Said instead of GraphiQL or the dashboard when they have not been built. */
export function notBuiltPage(what: string): string {
  return page(
    `meterql · ${what} not built`,
    `<h1>${what} is not built</h1>
<p>meterql serves ${what} from files built from its <code>web/</code> folder into <code>dist/web</code>, and they are not there.</p>
<p>Run <code>${BUILD_COMMAND}</code> (or <code>npm start</code>, which builds them) in meterql's folder, then reload this page.</p>
<p><a href="/">meterql</a></p>`,
  );
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<link rel="icon" href="data:,">
<style>
  body { font-family: system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; color: #1d2733; background: #f4f6f9; margin: 0; }
  main { max-width: 760px; margin: 48px auto; padding: 32px 40px; background: #fff; border: 1px solid #e1e5eb; border-radius: 10px; }
  h1 { margin: 0 0 8px; font-size: 28px; }
  .lead { font-size: 16px; line-height: 1.5; }
  .links { list-style: none; padding: 0; margin: 24px 0; }
  .links li { padding: 12px 0; border-top: 1px solid #e1e5eb; display: flex; gap: 16px; align-items: baseline; }
  .links a { font-weight: 600; font-size: 16px; min-width: 150px; color: #3366cc; text-decoration: none; }
  .links a:hover { text-decoration: underline; }
  .links span, .muted { color: #66717e; line-height: 1.5; }
  code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 13px; }
  code { background: #f1f3f6; padding: 1px 4px; border-radius: 4px; }
  pre { background: #f1f3f6; padding: 12px; border-radius: 6px; overflow-x: auto; }
  .warn { background: #fff8e6; border: 1px solid #f5d58a; padding: 10px 14px; border-radius: 6px; }
</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}
