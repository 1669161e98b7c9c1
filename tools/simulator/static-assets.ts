import { readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';

/** The page: plain files, no build step, so editing one and reloading the browser is the whole loop. */
export const PUBLIC_DIR = fileURLToPath(new URL('./public', import.meta.url));

/** The URL the page loads Mermaid from: the package's own browser bundle, never a CDN. */
export const MERMAID_BUNDLE_PATH = '/vendor/mermaid.min.js';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** Where npm put Mermaid's bundle, or undefined when it is not installed (a production image). */
function mermaidBundle(): string | undefined {
  try {
    return createRequire(import.meta.url).resolve('mermaid/dist/mermaid.min.js');
  } catch {
    return undefined;
  }
}

/** Serves public/ (a fixed list read at start, so no request can name another file) and Mermaid. */
export function staticAssets() {
  return async (app: FastifyInstance) => {
    const files = readdirSync(PUBLIC_DIR).filter((name) => CONTENT_TYPES[extname(name)] !== undefined);
    const send = (path: string, type: string, cache: string) => async (_request: unknown, reply: FastifyReply) =>
      reply
        .type(type)
        .header('cache-control', cache)
        .send(await readFile(path));

    // Read on each request: a developer editing the page sees the change on reload.
    for (const name of files)
      app.get(`/${name}`, send(join(PUBLIC_DIR, name), CONTENT_TYPES[extname(name)]!, 'no-cache'));
    app.get('/', send(join(PUBLIC_DIR, 'index.html'), CONTENT_TYPES['.html']!, 'no-cache'));

    const bundle = mermaidBundle();
    app.get(MERMAID_BUNDLE_PATH, async (request, reply) => {
      if (!bundle)
        return reply
          .code(404)
          .type('text/plain')
          .send('mermaid is not installed (npm install): the diagram is unavailable');
      return send(bundle, CONTENT_TYPES['.js']!, 'max-age=3600')(request, reply);
    });
  };
}
