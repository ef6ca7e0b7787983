import { existsSync } from 'node:fs';
import path from 'node:path';
import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import type { GraphQLSchema } from 'graphql';
import { printSortedSchema } from '../schema';
import { landingPage, notBuiltPage } from './landing';

/** Where `npm run build` puts the browser pages (web/ built by Vite); the same from src/ and dist/. */
export const WEB_ASSETS_DIR = path.resolve(__dirname, '../../dist/web');

export interface WebOptions {
  /** The landing page, GraphiQL and the dashboard (the `landingPage` option); off: none of them. */
  pages: boolean;
  /** The schema, served in SDL at /schema.graphql; null when introspection is off. */
  schema: GraphQLSchema | null;
  /** The built pages; WEB_ASSETS_DIR unless a test says otherwise. */
  assetsDir?: string;
}

/** The single-page apps and the names they answer to, deep links included (/dashboard?...). */
const APPS = [
  { name: 'GraphiQL', route: '/graphiql', dir: 'graphiql' },
  { name: 'The dashboard', route: '/dashboard', dir: 'dashboard' },
] as const;

/**
 * Only this server: the pages load nothing from elsewhere (no CDN), and a browser holds them to it.
 * Monaco and ECharts set inline styles; Monaco's fonts and GraphiQL's icons are data: URIs.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "worker-src 'self' blob:",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

function securityHeaders(res: Response): void {
  res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
}

/** A browser asking for a page: it prefers HTML to JSON, and asks no GraphQL query in the URL. */
function wantsPage(req: Request): boolean {
  return (
    req.method === 'GET' &&
    req.query.query === undefined &&
    req.accepts(['application/json', 'application/graphql-response+json', 'text/html']) === 'text/html'
  );
}

/**
 * meterql's pages for browsers: its landing page at / (and for a browser's GET of /graphql),
 * GraphiQL at /graphiql and the usage dashboard at /dashboard, from assets bundled at build time.
 */
export function webPages(options: WebOptions): Router {
  const assets = options.assetsDir ?? WEB_ASSETS_DIR;
  const built = () => APPS.every((app) => existsSync(path.join(assets, app.dir, 'index.html')));
  const router = express.Router();

  if (options.schema !== null) {
    const sdl = printSortedSchema(options.schema);
    router.get('/schema.graphql', (_req, res) => {
      res.type('text/plain; charset=utf-8').setHeader('Cache-Control', 'no-cache');
      res.send(sdl);
    });
  }
  if (!options.pages) return router;

  const landing: RequestHandler = (req, res) => {
    securityHeaders(res);
    res.setHeader('Cache-Control', 'no-cache');
    res
      .type('html')
      .send(landingPage({ built: built(), schema: options.schema !== null, origin: `${req.protocol}://${req.get('host') ?? ''}` }));
  };
  router.get('/', landing);
  router.get('/graphql', (req, res, next) => (wantsPage(req) ? landing(req, res, next) : next()));

  // Hashed file names: a new build has new names, so what a browser holds never goes stale.
  router.use(
    '/assets',
    express.static(path.join(assets, 'assets'), { immutable: true, maxAge: '365d', index: false, fallthrough: false, redirect: false }),
  );

  for (const app of APPS) {
    router.get([app.route, `${app.route}/{*rest}`], (_req, res, next) => {
      securityHeaders(res);
      const index = path.join(assets, app.dir, 'index.html');
      if (!existsSync(index)) {
        res.status(503).type('html').send(notBuiltPage(app.name));
        return;
      }
      res.setHeader('Cache-Control', 'no-cache');
      // Relative to its root, as express.static does: send refuses dot-files anywhere in the path it
      // is given, and an absolute one would refuse an install below ~/.local or any other dot-folder.
      res.sendFile(path.join(app.dir, 'index.html'), { root: assets }, (error) => error && next(error));
    });
  }
  return router;
}
