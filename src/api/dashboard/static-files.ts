import type { FastifyInstance, FastifyReply } from 'fastify';
import { createReadStream, existsSync, readdirSync } from 'node:fs';
import { extname, join } from 'node:path';
import { ErrorCode, ModelctlError } from '../../domain/errors';

/** Where `npm run build` puts the dashboard (Vite's output), from the package root. */
export const DASHBOARD_DIR = join(__dirname, '../../../dist/web');

/** Paths that belong to the API, never to the dashboard's client-side routes. */
const NOT_DASHBOARD = /^\/(api|healthz|readyz)(\/|$|\?)/;

/** Media types of what Vite emits. */
const MEDIA_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};

/** The files of `dir/assets` by name: only names listed there are served, so no URL can reach another file. */
function listAssets(dir: string): Set<string> {
  const assets = join(dir, 'assets');
  return new Set(existsSync(assets) ? readdirSync(assets).filter((f) => extname(f) in MEDIA_TYPES) : []);
}

/**
 * Serves the dashboard at `/`: its hashed assets under `/assets/` (cached for a year: a new build has new names),
 * and `index.html` for `/` and every other GET outside the API, so a deep link such as `/models/fraud` loads the
 * single-page app, which routes in the browser. Every file comes from `dir`; nothing is fetched from elsewhere.
 * @param dir the built dashboard; without its index.html the pages answer 503 UNAVAILABLE saying how to build it
 */
export function registerDashboard(app: FastifyInstance, dir: string = DASHBOARD_DIR): void {
  let assets = listAssets(dir);
  const page = async (url: string, reply: FastifyReply) => {
    if (NOT_DASHBOARD.test(url)) throw new ModelctlError(ErrorCode.NOT_FOUND, `no route GET ${url}`);
    const index = join(dir, 'index.html');
    if (!existsSync(index))
      throw new ModelctlError(ErrorCode.UNAVAILABLE, `the dashboard is not built (no ${index}): run npm run build`);
    return reply
      .header('content-type', 'text/html; charset=utf-8')
      .header('cache-control', 'no-cache')
      .send(createReadStream(index));
  };
  app.get('/assets/:file', { config: { access: 'public' }, schema: { hide: true } }, async (request, reply) => {
    const { file } = request.params as { file: string };
    // A rebuild while the server runs brings new names: look again before answering 404.
    if (!assets.has(file)) assets = listAssets(dir);
    if (!assets.has(file)) throw new ModelctlError(ErrorCode.NOT_FOUND, `no dashboard asset ${file}`);
    return reply
      .header('content-type', MEDIA_TYPES[extname(file)]!)
      .header('cache-control', 'public, max-age=31536000, immutable')
      .send(createReadStream(join(dir, 'assets', file)));
  });
  app.get('/*', { config: { access: 'public' }, schema: { hide: true } }, async (request, reply) =>
    page(request.url, reply),
  );
  app.get('/', { config: { access: 'public' }, schema: { hide: true } }, async (request, reply) =>
    page(request.url, reply),
  );
}
