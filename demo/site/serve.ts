/**
 * Serves the demo site: its pages rendered once at start from one layout (layout.ts, pages.ts) with the
 * tracker snippet filled in (the shop's: site/shop.ts), its stylesheet, and the built tracker, its
 * personalization add-on and the embeddable form (`npm run build:tracker`).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname, extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SiteFill } from './layout.js';
import { renderSite } from './pages.js';
import { renderShop } from './shop.js';

const siteDir = dirname(fileURLToPath(import.meta.url));
const trackerDist = join(siteDir, '..', '..', 'tracker', 'dist');
/** The built scripts, served at the site's root as an operator's site would serve them. */
const scripts = new Set(['/nurture.min.js', '/nurture-personalize.min.js', '/nurture-forms.min.js']);
/** Files served as they are from this folder (the modules beside them are never served). */
const assetTypes: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};
const htmlType = 'text/html; charset=utf-8';
const badRequestPage =
  '<!doctype html>\n<html lang="en">\n<head><meta charset="utf-8"><title>Bad request — Acme Analytics</title></head>\n' +
  '<body><h1>Bad request</h1><p>The address has a malformed %-escape. <a href="/">Home</a></p></body>\n</html>\n';

/** The demo site's request listener; `fill` is the API URL and write key its tracker snippet uses. */
export function siteListener(fill: SiteFill): (req: IncomingMessage, res: ServerResponse) => void {
  const pages = new Map([...renderSite(fill), ...renderShop(fill)]);
  return function serveSite(req, res) {
    let path: string;
    try {
      path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    } catch {
      res.writeHead(400, { 'content-type': htmlType }).end(badRequestPage);
      return;
    }
    if (path.endsWith('/')) path += 'index.html';
    const page = pages.get(path) ?? (extname(path) ? undefined : (pages.get(`${path}.html`) ?? pages.get(`${path}/index.html`)));
    if (page) {
      res.writeHead(200, { 'content-type': htmlType, 'cache-control': 'no-cache' }).end(page);
      return;
    }
    if (scripts.has(path)) {
      const trackerFile = join(trackerDist, path.slice(1));
      if (!existsSync(trackerFile)) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('tracker not built: run npm run build:tracker');
        return;
      }
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-cache' }).end(readFileSync(trackerFile));
      return;
    }
    const file = normalize(join(siteDir, path));
    if (!file.startsWith(siteDir + sep)) {
      res.writeHead(403).end();
      return;
    }
    const type = assetTypes[extname(file)];
    if (!type || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': type, 'cache-control': 'no-cache' }).end(readFileSync(file));
  };
}
