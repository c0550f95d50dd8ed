// Shared plumbing for the end-to-end tests:
//  - a tiny static file server (Node's http module) serving dist/ on 127.0.0.1 on a free port,
//  - Debian's Chromium driven by playwright-core (no browser download, offline-safe flags),
//  - fresh pages (a new browser context each, so no shared localStorage), screenshots,
//  - small polling helpers, since playwright-core has no `expect`.
//
// Typical use in a test file:
//   const h = await startHarness();          // in before()
//   const page = await h.newPage();          // fresh context
//   await h.openApp(page);                   // waits for [data-testid=lab-hashing]
//   await h.screenshot(page, 'default');
//   await h.close();                         // in after()

import http from 'node:http';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = path.resolve(HERE, '..');

/** Folder served to the browser (override with E2E_DIST). */
export const DIST_DIR = path.resolve(process.env.E2E_DIST ?? path.join(REPO_ROOT, 'dist'));
/** Where screenshots go (override with E2E_SCREENSHOTS). */
export const SCREENSHOT_DIR = path.resolve(
  process.env.E2E_SCREENSHOTS ?? path.join(REPO_ROOT, 'test-output', 'screenshots'),
);
/** Debian's Chromium; playwright-core never downloads a browser. */
export const CHROMIUM_PATH = process.env.CHROMIUM ?? '/usr/bin/chromium';

/** How long the app may take to show the hashing lab after navigation. */
export const APP_READY_TIMEOUT_MS = 30_000;
/** Default timeout for single actions (click, fill, waitFor...). */
export const ACTION_TIMEOUT_MS = 10_000;

export const VIEWPORTS = {
  desktop: { width: 1280, height: 800 },
  mobile: { width: 375, height: 800 },
};

// Without the background-networking flags Chromium keeps trying to reach Google on the closed network.
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const MIME_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.webmanifest': 'application/manifest+json',
};

/**
 * Serves `root` on 127.0.0.1 on a free port. Resolves to { url, close() }; `url` has no trailing slash.
 * "/" (and any folder) maps to its index.html; paths outside `root` are refused.
 */
export async function startStaticServer(root = DIST_DIR) {
  const rootDir = path.resolve(root);
  if (!fs.existsSync(path.join(rootDir, 'index.html'))) {
    throw new Error(`${rootDir}/index.html not found: build the app first (trunk build --release)`);
  }

  const server = http.createServer(async (req, res) => {
    try {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { Allow: 'GET, HEAD' }).end();
        return;
      }
      // The fragment never reaches the server; drop the query string too.
      const urlPath = decodeURIComponent(new URL(req.url, 'http://localhost').pathname);
      let file = path.resolve(rootDir, '.' + urlPath);
      if (file !== rootDir && !file.startsWith(rootDir + path.sep)) {
        res.writeHead(403).end('forbidden');
        return;
      }
      let stat = await fsp.stat(file).catch(() => null);
      if (stat?.isDirectory()) {
        file = path.join(file, 'index.html');
        stat = await fsp.stat(file).catch(() => null);
      }
      if (!stat?.isFile()) {
        res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('not found');
        return;
      }
      const type = MIME_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
      res.writeHead(200, {
        'Content-Type': type,
        'Content-Length': stat.size,
        'Cache-Control': 'no-store',
      });
      if (req.method === 'HEAD') {
        res.end();
      } else {
        fs.createReadStream(file).pipe(res);
      }
    } catch (err) {
      res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' }).end(String(err));
    }
  });

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address();

  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections(); // keep-alive sockets would otherwise hold close() open
        server.close(() => resolve());
      }),
  };
}

/** Launches headless Debian Chromium with offline-friendly flags. */
export async function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
    timeout: 60_000,
  });
}

// Uncaught page errors and console errors, per page (see pageErrors / assertNoPageErrors).
const pageDiagnostics = new WeakMap();

/**
 * Starts the static server and the browser. Returns an object with:
 *   baseUrl, browser,
 *   newContext(viewport?), newPage(viewport?), pageIn(context), openApp(page, suffix?),
 *   screenshot(page, name), screenshotBoth(page, name), close().
 */
export async function startHarness({ root = DIST_DIR } = {}) {
  const server = await startStaticServer(root);
  let browser;
  try {
    browser = await launchBrowser();
  } catch (err) {
    await server.close();
    throw err;
  }
  const contexts = new Set();

  const harness = {
    baseUrl: server.url,
    browser,

    /**
     * A new, isolated browser context (own cookies and localStorage); `options` go to Playwright's
     * newContext (e.g. { colorScheme: 'dark' }).
     */
    async newContext(viewport = VIEWPORTS.desktop, options = {}) {
      const context = await browser.newContext({ viewport, deviceScaleFactor: 1, ...options });
      context.setDefaultTimeout(ACTION_TIMEOUT_MS);
      context.setDefaultNavigationTimeout(APP_READY_TIMEOUT_MS);
      contexts.add(context);
      context.on('close', () => contexts.delete(context));
      return context;
    },

    /** A page in a new context of its own (fresh localStorage). */
    async newPage(viewport = VIEWPORTS.desktop, options = {}) {
      return harness.pageIn(await harness.newContext(viewport, options));
    },

    /** Another page in an existing context (shares its localStorage). */
    async pageIn(context) {
      const page = await context.newPage();
      watchPage(page);
      return page;
    },

    /**
     * Navigates to the app (`suffix` is appended to the base URL, e.g. "/#s=1.xyz") and waits until
     * the hashing lab is rendered.
     */
    async openApp(page, suffix = '/') {
      await page.goto(harness.baseUrl + suffix, { waitUntil: 'load' });
      await waitForApp(page);
      return page;
    },

    screenshot,
    screenshotBoth,

    /** Closes every context, the browser and the server. Safe to call twice. */
    async close() {
      for (const ctx of [...contexts]) await ctx.close().catch(() => {});
      await browser.close().catch(() => {});
      await server.close();
    },
  };
  return harness;
}

/** Records uncaught errors and console errors of `page` (printed by assertNoPageErrors). */
function watchPage(page) {
  const diag = { pageErrors: [], consoleErrors: [] };
  pageDiagnostics.set(page, diag);
  page.on('pageerror', (err) => diag.pageErrors.push(String(err?.stack ?? err)));
  page.on('console', (msg) => {
    if (msg.type() === 'error') diag.consoleErrors.push(msg.text());
  });
}

/** Uncaught exceptions seen on the page so far (a Rust panic in wasm shows up here). */
export function pageErrors(page) {
  return pageDiagnostics.get(page)?.pageErrors ?? [];
}

/** Throws if the page had uncaught exceptions; the message includes console errors for context. */
export function assertNoPageErrors(page) {
  const diag = pageDiagnostics.get(page);
  if (diag && diag.pageErrors.length > 0) {
    throw new Error(
      `uncaught errors on the page:\n  ${diag.pageErrors.join('\n  ')}` +
        (diag.consoleErrors.length ? `\nconsole errors:\n  ${diag.consoleErrors.join('\n  ')}` : ''),
    );
  }
}

/** Waits for the hashing lab to be shown (up to APP_READY_TIMEOUT_MS). */
/** Waits until the lab's cards have all mounted (no `ui::later` placeholder left). */
export async function waitForCards(page, timeout = APP_READY_TIMEOUT_MS) {
  await page.waitForFunction(() => !document.querySelector('.later'), null, { timeout });
}

export async function waitForApp(page) {
  try {
    await page.locator('[data-testid=lab-hashing]').first().waitFor({
      state: 'visible',
      timeout: APP_READY_TIMEOUT_MS,
    });
    // The lab's cards mount one per task after the page (ui/later.rs): ready once none is left to mount.
    await waitForCards(page);
  } catch (err) {
    const diag = pageDiagnostics.get(page);
    const extra = diag
      ? `\npage errors: ${JSON.stringify(diag.pageErrors)}\nconsole errors: ${JSON.stringify(diag.consoleErrors)}`
      : '';
    throw new Error(`the app did not render [data-testid=lab-hashing]: ${err.message}${extra}`);
  }
}

/** Saves a full-page screenshot as test-output/screenshots/<name>.png; returns the path. */
export async function screenshot(page, name) {
  await fsp.mkdir(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name.replace(/[^\w.-]+/g, '_')}.png`);
  // Cards off screen are skipped by layout until they near the viewport (content-visibility: auto), and
  // a full-page capture does not scroll: the print media draws them all (style.css), without a script
  // (a page may have JavaScript off).
  await page.emulateMedia({ media: 'print' });
  await page.screenshot({ path: file, fullPage: true, animations: 'disabled' });
  await page.emulateMedia({ media: null });
  return file;
}

/**
 * Screenshots the page at 1280x800 (<name>-1280.png) and 375x800 (<name>-375.png), then restores
 * the original viewport. Returns both paths.
 */
export async function screenshotBoth(page, name) {
  const original = page.viewportSize();
  const files = [];
  for (const vp of [VIEWPORTS.desktop, VIEWPORTS.mobile]) {
    await page.setViewportSize(vp);
    await settle(page);
    files.push(await screenshot(page, `${name}-${vp.width}`));
  }
  if (original) await page.setViewportSize(original);
  return files;
}

/** Lets pending renders (Yew schedules them) and layout settle: two animation frames. */
export async function settle(page) {
  await page.evaluate(
    () => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))),
  );
}

/**
 * Polls `probe()` (async allowed) until `check(value)` is true; returns the last value.
 * On timeout throws `${message}; last value: ...`.
 */
export async function pollUntil(probe, check, { timeout = ACTION_TIMEOUT_MS, interval = 100, message = 'condition not met' } = {}) {
  const deadline = Date.now() + timeout;
  let value;
  let lastError;
  for (;;) {
    try {
      value = await probe();
      lastError = undefined;
      if (check(value)) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      const last = lastError ? `error ${lastError.message}` : JSON.stringify(value);
      throw new Error(`${message} (after ${timeout} ms); last value: ${last}`);
    }
    await new Promise((r) => setTimeout(r, interval));
  }
}

/** Waits until the text of the first element matching `selector` satisfies `check`; returns it. */
export async function waitForText(page, selector, check, opts = {}) {
  const test = typeof check === 'string' ? (t) => t.includes(check) : check instanceof RegExp ? (t) => check.test(t) : check;
  return pollUntil(
    async () => ((await page.locator(selector).first().textContent({ timeout: 1_000 })) ?? '').trim(),
    test,
    { message: `text of ${selector} did not match ${check}`, ...opts },
  );
}
