// End-to-end tests of the site as deployed: every lab at its own address (back and forward move between
// them, an old link of any lab opens on its page), the page's text before its code has run, and the
// site working offline after one visit (its service worker), showing its version.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { labs } from '../scripts/site.mjs';
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, DIST_DIR, startHarness, waitForText, pollUntil, screenshot, assertNoPageErrors } from './harness.mjs';

const tid = (id) => `[data-testid="${id}"]`;
const golden = fs.readFileSync(path.join(REPO_ROOT, 'tests/golden/links.txt'), 'utf8');
/** The fragment of a golden link whose scenario is of lab `lab`. */
const linkOf = (name) => {
  const line = golden.split('\n').find((l) => l.startsWith(`${name}\t`));
  assert.ok(line, `no golden link ${name}`);
  const link = line.split('\t')[1];
  return link.slice(link.indexOf('#'));
};

describe('the site: an address per lab, offline after one visit', () => {
  let h;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h?.close();
  });

  it('gives every lab its own address; back and forward move between them', async () => {
    const page = await h.newPage();
    await h.openApp(page);
    for (const lab of ['queue', 'stream', 'pubsub', 'sharding', 'caching', 'events', 'scaling', 'resilience']) {
      assert.ok(fs.existsSync(path.join(DIST_DIR, lab, 'index.html')), `${lab}/ is built`);
      await page.locator(tid(`nav-${lab}`)).click();
      await page.locator(tid(`lab-${lab}`)).waitFor();
      assert.ok(new URL(page.url()).pathname.endsWith(`/${lab}/`), page.url());
    }
    await page.goBack();
    await page.locator(tid('lab-scaling')).waitFor();
    await page.goBack();
    await page.locator(tid('lab-events')).waitFor();
    await page.goForward();
    await page.locator(tid('lab-scaling')).waitFor();
    // A lab's address opens it directly.
    await page.goto(`${h.baseUrl}/queue/`);
    await page.locator(tid('lab-queue')).waitFor();
    assertNoPageErrors(page);
  });

  it('an old link of another lab opened at the root goes to that lab, at its moment', async () => {
    const page = await h.newPage();
    const fragment = linkOf('rush-hour');
    await page.goto(`${h.baseUrl}/${fragment}&t=5`);
    await page.locator(tid('lab-queue')).waitFor();
    assert.ok(new URL(page.url()).pathname.endsWith('/queue/'), page.url());
    await waitForText(page, tid('notice'), (t) => t.includes('Opened a shared scenario'));
    assertNoPageErrors(page);
  });

  it("reads the lab's title and text before its code has run", async () => {
    const context = await h.browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${h.baseUrl}/sharding/`);
    assert.equal((await page.locator('#prerender h1').textContent()).trim(), 'Sharding and replication');
    assert.match(await page.locator('#prerender .lab-intro p').first().textContent(), /shard key/);
    assert.equal(await page.locator('#prerender nav a').count(), labs().length - 1, 'links to every other lab');
    await screenshot(page, 'prerendered-sharding');
    // The app draws the same heading and introduction, at the same size: the largest text of the page
    // is painted once, before the code arrives (Lighthouse's largest contentful paint).
    const intro = (p) => p.evaluate(() => {
      const p = document.querySelector('main .lab-intro h1 + p');
      const r = p.getBoundingClientRect();
      return { html: document.querySelector('main .lab-intro h1').outerHTML + p.outerHTML, width: r.width, height: r.height };
    });
    const before = await intro(page);
    await context.close();
    const live = await h.browser.newContext();
    const app = await live.newPage();
    await app.goto(`${h.baseUrl}/sharding/`);
    await app.locator(tid('lab-sharding')).waitFor();
    assert.deepEqual(await intro(app), before);
    await live.close();
  });

  it('works offline after one visit, and shows its version', async () => {
    const context = await h.browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await page.goto(`${h.baseUrl}/`);
    await page.locator(tid('lab-hashing')).waitFor();
    await waitForText(page, tid('version'), (t) => /^Version \d+\.\d+\.\d+ \(.+\)$/.test(t));
    // The service worker has taken the page over and kept every file of the site.
    await pollUntil(
      () => page.evaluate(async () => {
        const keys = await caches.keys();
        const cache = keys.find((k) => k.startsWith('sysplay-'));
        return { controlled: !!navigator.serviceWorker.controller, files: cache ? (await (await caches.open(cache)).keys()).length : 0 };
      }),
      (s) => s.controlled && s.files > 10,
      { timeout: 60_000, message: 'the service worker keeps the site' },
    );
    await context.setOffline(true);
    await page.reload();
    await page.locator(tid('lab-hashing')).waitFor();
    // Another lab, never opened before, offline: its page comes from the cache and plays.
    await page.locator(tid('nav-queue')).click();
    await page.locator(tid('lab-queue')).waitFor();
    await page.locator(tid('preset-shop-dies')).click();
    await page.locator(tid('to-end')).click();
    await waitForText(page, tid('clock'), (t) => t.includes('run over'), { timeout: 60_000 });
    await screenshot(page, 'offline-queue');
    await context.setOffline(false);
    assertNoPageErrors(page);
    await context.close();
  });
});
