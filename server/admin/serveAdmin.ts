/** Serves the built admin (client/dist) at /, falling back to index.html for client-side routes. */
import { createReadStream, existsSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { ADMIN_DIST as DIST } from './adminBuild.ts';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.ico': 'image/x-icon',
};

export function serveAdmin(req: IncomingMessage, res: ServerResponse): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405).end();
    return;
  }
  const index = path.join(DIST, 'index.html');
  if (!existsSync(index)) {
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
    res.end('The admin is not built yet: run `npm run build` (npm start does this), or use `npm run dev`.\n');
    return;
  }
  let pathname: string;
  try {
    pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
  } catch {
    // A malformed escape (%E0%A4%A) names no file.
    res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' }).end('Malformed URL\n');
    return;
  }
  const candidate = path.normalize(path.join(DIST, pathname));
  // Dot files are the build's own records (the hash of the sources it was made from), not the admin's.
  const hidden = pathname.split('/').some((segment) => segment.startsWith('.'));
  const file = !hidden && candidate.startsWith(DIST) && existsSync(candidate) && statSync(candidate).isFile() ? candidate : index;
  const immutable = file !== index && pathname.startsWith('/assets/');
  res.writeHead(200, {
    'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream',
    'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
  });
  if (req.method === 'HEAD') res.end();
  else createReadStream(file).pipe(res);
}
