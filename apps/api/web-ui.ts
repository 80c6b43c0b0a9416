import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** Where `npm run build` puts the web UI: dist/web, beside dist/apps (or seen from the sources, as the tests run them). */
const CANDIDATES = [resolve(__dirname, '..', '..', 'web'), resolve(__dirname, '..', '..', 'dist', 'web')];

/** Paths that are never the web UI's client-side routes: the server's own, and missing built files. */
const NOT_PAGES = /^\/(api|admin|metrics|assets)(\/|$)/;

export function webUiRoot(): string | undefined {
  return CANDIDATES.find((dir) => existsSync(join(dir, 'index.html')));
}

/**
 * Serves the web UI (API.md: the API's port also serves it). Built files come from dist/web:
 * hashed assets are cached for a year, index.html never (it names the current assets). Every
 * other GET outside /api, /admin, /metrics and /assets is a client-side route (the case links in mails,
 * `/cases/:id`), answered with index.html so the page opens directly. Without a build (a test
 * that needs no UI) nothing is mounted.
 */
export async function mountWebUi(app: NestFastifyApplication, root = webUiRoot()): Promise<boolean> {
  if (!root) return false;
  const fastify = app.getHttpAdapter().getInstance() as unknown as FastifyInstance;
  const assets = join(root, 'assets');
  await fastify.register(fastifyStatic, {
    root,
    wildcard: false,
    index: false,
    setHeaders: (reply, path) => {
      void reply.header('cache-control', path.startsWith(assets) ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
  const page = (request: FastifyRequest, reply: FastifyReply) => {
    if (NOT_PAGES.test(request.url)) return reply.callNotFound();
    return reply.header('cache-control', 'no-cache').sendFile('index.html');
  };
  fastify.get('/', page);
  fastify.get('/*', page);
  return true;
}
