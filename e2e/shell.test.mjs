// End-to-end tests of the app shell: the Content-Security-Policy of the release build, the about page,
// the dark theme, and a large key set that must still respond.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startHarness, DIST_DIR, waitForText, pollUntil, settle, assertNoPageErrors, screenshot } from './harness.mjs';

const tid = (id) => `[data-testid="${id}"]`;

describe('app shell (end to end)', () => {
  let h;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h?.close();
  });

  it('ships a strict Content-Security-Policy and runs under it', async () => {
    const html = readFileSync(path.join(DIST_DIR, 'index.html'), 'utf8');
    const csp = html.match(/http-equiv="Content-Security-Policy" content="([^"]+)"/)?.[1];
    assert.ok(csp, 'index.html has a CSP meta tag');
    assert.match(csp, /script-src 'self' 'wasm-unsafe-eval' 'sha256-/);
    const scriptSrc = csp.split(';').find((d) => d.trim().startsWith('script-src'));
    assert.doesNotMatch(scriptSrc, /'unsafe-inline'|'unsafe-eval'/);
    assert.match(csp, /object-src 'none'/);
    const page = await h.newPage();
    const violations = [];
    page.on('console', (m) => /Content Security Policy/i.test(m.text()) && violations.push(m.text()));
    await h.openApp(page);
    await page.locator(tid('preset-ring-skew')).click();
    await waitForText(page, `${tid('server-row')}[data-name="S4"] ${tid('ring-share')}`, /78\.00%/);
    assert.deepEqual(violations, []);
    assertNoPageErrors(page);
  });

  it("keeps every lab's session through a reload, each at its lab's address", async () => {
    const context = await h.newContext();
    const page = await h.pageIn(context);
    await h.openApp(page);
    await page.locator(tid('preset-ring-skew')).click();
    await waitForText(page, `${tid('server-row')}[data-name="S4"] ${tid('ring-share')}`, /78\.00%/);
    await page.locator(tid('nav-queue')).click();
    await page.locator(tid('preset-poison-order')).click();
    await waitForText(page, tid('metric-dead-lettered'), (t) => t === '1');
    // The partitioned log: c2 commits before its work and crashes at 40 s, losing 3 records (`sysplay run
    // --preset commit-before-crash`).
    await page.locator(tid('nav-stream')).click();
    await page.locator(tid('lab-stream')).waitFor();
    await page.locator(tid('preset-commit-before-crash')).click();
    await waitForText(page, tid('stream-actions'), (t) => t.includes('crash c2 (billing)'));
    await waitForText(page, tid('metric-lost'), (t) => t === '3');
    await page.locator(tid('nav-pubsub')).click();
    await page.locator(tid('preset-topic-routing')).click();
    await page.locator(tid('lab-pubsub')).waitFor();
    await pollUntil(
      () => page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('sysplay.session.')).sort()),
      (keys) => ['hashing', 'pubsub', 'queue', 'stream'].every((k) => keys.includes(`sysplay.session.${k}`)),
      { message: 'each lab saved its session' },
    );
    // The page saved the preset's session, not only the one it opened with.
    await pollUntil(
      () => page.evaluate(() => localStorage.getItem('sysplay.session.pubsub') ?? ''),
      (saved) => saved.includes('lazy.pink.rabbit'),
      { message: 'the pub/sub page saved the topic-routing session' },
    );
    await page.goto('about:blank');
    // The lab shown last is at its own address: a reload (or coming back to it) shows its session.
    await page.goto(`${h.baseUrl}/pubsub/`);
    await page.locator(tid('lab-pubsub')).waitFor({ timeout: 30_000 });
    await waitForText(page, tid('pubsub-actions'), (t) => t.includes('lazy.pink.rabbit'));
    // Reloaded at once, while it may still be opening: a page that is left is not a frozen one.
    await page.reload();
    await waitForText(page, tid('pubsub-actions'), (t) => t.includes('lazy.pink.rabbit'));
    await page.locator(tid('nav-stream')).click();
    await page.locator(tid('lab-stream')).waitFor();
    await waitForText(page, tid('stream-actions'), (t) => t.includes('crash c2 (billing)'));
    await waitForText(page, tid('metric-lost'), (t) => t === '3');
    await page.locator(tid('nav-queue')).click();
    await waitForText(page, tid('metric-dead-lettered'), (t) => t === '1');
    await page.locator(tid('nav-hashing')).click();
    await waitForText(page, `${tid('server-row')}[data-name="S4"] ${tid('ring-share')}`, /78\.00%/);
    assertNoPageErrors(page);
  });

  it('shows the about page and goes back to the lab by keyboard', async () => {
    const page = await h.newPage();
    await h.openApp(page);
    await page.locator(tid('nav-about')).click();
    await waitForText(page, tid('about'), /Share/);
    await screenshot(page, 'about-1280');
    await page.locator(tid('nav-hashing')).focus();
    await page.keyboard.press('Enter');
    await page.locator(tid('lab-hashing')).waitFor();
  });

  it('follows a dark system theme', async () => {
    const context = await h.browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'dark' });
    const page = await context.newPage();
    await page.goto(h.baseUrl + '/');
    await page.locator(tid('lab-hashing')).waitFor();
    const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const [r, g, b] = bg.match(/\d+/g).map(Number);
    assert.ok(r + g + b < 150, `dark background expected, got ${bg}`);
    await settle(page);
    await screenshot(page, 'default-dark-1280');
    await context.close();
  });

  it('handles 1,000,000 keys and reports how long a change takes', async () => {
    const page = await h.newPage();
    await h.openApp(page);
    await page.locator(tid('key-count')).fill('1000000');
    await page.locator(tid('apply-settings')).click();
    await waitForText(page, tid('last-change'), /1000000 keys/, { timeout: 30_000 });
    const before = await page.locator(tid('server-row')).count();
    const t0 = Date.now();
    await page.locator(tid('add-server')).click();
    await pollUntil(() => page.locator(tid('server-row')).count(), (n) => n === before + 1, { timeout: 30_000 });
    await settle(page);
    const ms = Date.now() - t0;
    // Reported, not asserted: machines are shared and noisy.
    console.log(`# add-server with 1,000,000 keys: ${ms} ms from click to rendered rows`);
    await waitForText(page, tid('ring-keys-moved'), /of 1,000,000/);
    assertNoPageErrors(page);
  });
});
