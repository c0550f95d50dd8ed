// Serves a built site as a static host does: each folder's index.html, the right content types, and
// gzip or brotli when the browser accepts them (compressed once per file and kept). Hashed files
// (trunk names them by content) may be cached for a year; pages are revalidated.
//
//   node scripts/static.mjs [DIR] [PORT]     # DIR defaults to dist/, PORT to 8080
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.png': 'image/png',
  '.txt': 'text/plain; charset=utf-8',
};
const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.css', '.wasm', '.svg', '.json', '.webmanifest', '.txt']);

/** Starts serving `root`; resolves to { url, close() }. */
export async function serve(root, port = 0, host = '127.0.0.1') {
  const rootDir = path.resolve(root);
  const cache = new Map(); // `${file}:${mtime}:${encoding}` -> Buffer
  const server = http.createServer((req, res) => {
    try {
      const urlPath = decodeURIComponent(new URL(req.url, 'http://localhost').pathname);
      let file = path.resolve(rootDir, '.' + urlPath);
      if (file !== rootDir && !file.startsWith(rootDir + path.sep)) return res.writeHead(403).end('forbidden');
      let stat = fs.statSync(file, { throwIfNoEntry: false });
      if (stat?.isDirectory()) {
        if (!urlPath.endsWith('/')) return res.writeHead(301, { Location: `${urlPath}/` }).end();
        file = path.join(file, 'index.html');
        stat = fs.statSync(file, { throwIfNoEntry: false });
      }
      if (!stat?.isFile()) return res.writeHead(404, { 'Content-Type': TYPES['.txt'] }).end('not found');
      const ext = path.extname(file).toLowerCase();
      const accepts = String(req.headers['accept-encoding'] ?? '');
      const encoding = !COMPRESSIBLE.has(ext) ? null : /\bbr\b/.test(accepts) ? 'br' : /\bgzip\b/.test(accepts) ? 'gzip' : null;
      const key = `${file}:${stat.mtimeMs}:${encoding}`;
      let body = cache.get(key);
      if (!body) {
        const raw = fs.readFileSync(file);
        body =
          encoding === 'br'
            ? zlib.brotliCompressSync(raw, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } })
            : encoding === 'gzip'
              ? zlib.gzipSync(raw, { level: 9 })
              : raw;
        cache.set(key, body);
      }
      const hashed = /-[0-9a-f]{16}(_bg)?\.[a-z]+$/.test(file);
      res.writeHead(200, {
        'Content-Type': TYPES[ext] ?? 'application/octet-stream',
        'Content-Length': body.length,
        'Cache-Control': hashed ? 'public, max-age=31536000, immutable' : 'no-cache',
        'X-Content-Type-Options': 'nosniff',
        ...(encoding ? { 'Content-Encoding': encoding, Vary: 'Accept-Encoding' } : {}),
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch (err) {
      res.writeHead(500, { 'Content-Type': TYPES['.txt'] }).end(String(err));
    }
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  return {
    url: `http://${host}:${server.address().port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = process.argv[2] ?? path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'dist');
  const { url } = await serve(root, Number(process.argv[3] ?? process.env.PORT ?? 8080));
  console.log(`Serving ${path.resolve(root)} at ${url}/ (compressed; Ctrl-C to stop)`);
}
