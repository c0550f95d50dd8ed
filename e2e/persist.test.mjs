// Sessions are never lost (shared code: every lab gets it):
//  - a session that grows past what a share link can carry is said to be too large, with the size and
//    the cap, and offered as a scenario file; Share never hands out a link that would not open; the file
//    opens in the page (Open file), a bad file says why; the autosave keeps the session past the cap;
//  - a visit that never finished opening its session (the tab froze, or was closed while it computed)
//    leaves a mark: the next visit does not replay the session but offers to start fresh or try again.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { startHarness, REPO_ROOT, SCREENSHOT_DIR, pollUntil, waitForApp, screenshot, assertNoPageErrors } from './harness.mjs';

const tid = (id) => `[data-testid="${id}"]`;
const LINK_ENCODED_MAX = 8192;

/** A deterministic stream of 24-character names that do not compress. */
function* names(seed) {
  let x = BigInt(seed);
  const mask = (1n << 64n) - 1n;
  for (;;) {
    let name = '';
    while (name.length < 24) {
      x = (x * 6364136223846793005n + 1442695040888963407n) & mask;
      name += String.fromCharCode(97 + Number((x >> 33n) % 26n));
    }
    yield name;
  }
}

/** A hashing scenario of `n` hand-placed servers with 24-character names. */
function handPlaced(n) {
  const gen = names(7);
  const servers = Array.from({ length: n }, (_, i) => ({
    name: gen.next().value,
    position: (i * 2654435761 + 12345) % 4294967296,
  }));
  return { version: 1, seed: 7, lab: 'hashing', config: { ring_size: 4294967296, key_count: 1000, servers }, actions: [] };
}

/** The fragment of a share link carrying `scenario` (raw deflate, URL-safe base64, as the page). */
const fragmentOf = (scenario) =>
  `s=1.${zlib.deflateRawSync(Buffer.from(JSON.stringify(scenario)), { level: 9 }).toString('base64url')}`;

/** The largest hand-placed session whose link is about `target` characters. */
function nearTheCap(target) {
  let n = 100;
  while (fragmentOf(handPlaced(n + 1)).length - 4 <= target) n++;
  return handPlaced(n);
}

const serversShown = async (page) =>
  Number(((await page.locator('#servers-title').textContent()) ?? '').match(/\((\d+)\)/)?.[1] ?? NaN);

async function waitForServers(page, n) {
  await pollUntil(() => serversShown(page).catch(() => NaN), (v) => v === n, {
    timeout: 30_000,
    message: `the page never showed ${n} servers`,
  });
}

async function noticeText(page) {
  const notice = page.locator(`${tid('notice')} .text`).first();
  await notice.waitFor({ state: 'visible' });
  return ((await notice.textContent()) ?? '').trim();
}

/** How long the page takes to answer a script (its main thread free), ms. */
async function answerMs(page) {
  const t0 = Date.now();
  await page.evaluate(() => 1);
  return Date.now() - t0;
}

describe('sessions are never lost (end to end)', () => {
  let h;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h?.close();
  });

  it('a session past the link cap is offered as a file, opens from it, and survives a reload', { timeout: 240_000 }, async () => {
    const start = nearTheCap(LINK_ENCODED_MAX - 250);
    const n0 = start.config.servers.length;
    const context = await h.newContext();
    const page = await h.pageIn(context);
    await page.goto(`${h.baseUrl}/#${fragmentOf(start)}`);
    await waitForApp(page);
    await waitForServers(page, n0);
    assert.match(await noticeText(page), /Opened a shared scenario/);

    // Add servers one at a time, pressing Share after each: a link is handed out only when it opens.
    const extra = names(99);
    let added = 0;
    let lastLink = null;
    let refused = null;
    let crossing = null;
    while (added < 20 && !refused) {
      const name = extra.next().value;
      await page.locator(tid('add-name')).fill(name);
      await page.locator(tid('add-server')).click();
      added++;
      await waitForServers(page, n0 + added);
      const afterEdit = await page.locator(`${tid('notice')} .text`).first().textContent({ timeout: 200 }).catch(() => null);
      if (afterEdit && /too large for a share link/.test(afterEdit)) crossing = afterEdit.trim();
      await page.locator(tid('share')).click();
      const text = await noticeText(page);
      if (/^Link copied/.test(text)) {
        const link = await page.locator(tid('share-link')).inputValue();
        const payload = link.slice(link.indexOf('#s=1.') + 5).split('&')[0];
        assert.ok(
          payload.length <= LINK_ENCODED_MAX,
          `"Link copied" for a link of ${payload.length} characters (the cap is ${LINK_ENCODED_MAX}): it would not open`,
        );
        lastLink = link;
      } else {
        refused = text;
      }
    }
    assert.ok(refused, `Share still made a link after ${added} servers were added`);
    assert.match(refused, /too large for a share link/);
    assert.match(refused, /8,192/, 'names the cap');
    assert.match(refused, /\d,\d{3} characters/, 'names the size');
    assert.doesNotMatch(refused, /Link copied/);
    assert.equal(await page.locator(tid('share-link')).count(), 0, 'no link is shown');
    assert.ok(crossing, 'the edit that made the session too large for a link said so');
    await screenshot(page, 'persist-share-too-large');
    await page.screenshot({
      path: path.join(SCREENSHOT_DIR, 'persist-share-too-large-top.png'),
      clip: { x: 0, y: 0, width: 1280, height: 160 },
    });

    // The last link handed out opens elsewhere.
    if (lastLink) {
      const other = await h.newPage();
      await other.goto(lastLink);
      await waitForApp(other);
      await waitForServers(other, n0 + added - 1);
      await other.close();
    }

    // Download the session as a scenario file.
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator(tid('download-scenario')).click()]);
    const file = path.join(REPO_ROOT, 'test-output', download.suggestedFilename());
    await download.saveAs(file);
    const saved = JSON.parse(readFileSync(file, 'utf8'));
    assert.equal(saved.lab, 'hashing');
    assert.equal(saved.config.servers.length, n0);
    assert.equal(saved.actions.length, added);

    // Reload: the autosave kept the whole session (it is not bound by the link cap).
    await page.reload();
    await waitForApp(page);
    await waitForServers(page, n0 + added);
    const notice = page.locator(tid('notice'));
    if (await notice.count()) assert.doesNotMatch(await notice.first().textContent(), /could not/);

    // The file opens in a fresh browser, through the same checks as a link; a bad file says why.
    const fresh = await h.newPage();
    await h.openApp(fresh);
    const before = await serversShown(fresh);
    await fresh.locator(tid('open-file-input')).setInputFiles({
      name: 'broken.json',
      mimeType: 'application/json',
      buffer: Buffer.from('{"version":1,"seed":'),
    });
    const bad = await noticeText(fresh);
    assert.match(bad, /^broken\.json: This file does not hold a Sysplay scenario/);
    assert.match(bad, /Your current session is unchanged\.$/);
    assert.equal(await serversShown(fresh), before);
    await fresh.locator(tid('open-file-input')).setInputFiles(file);
    await waitForServers(fresh, n0 + added);
    assert.match(await noticeText(fresh), /Opened the scenario file/);
    assertNoPageErrors(page);
    assertNoPageErrors(fresh);
  });

  /** A context whose storage holds `entries` (set before the page's own scripts run, once per context). */
  async function contextWith(entries) {
    const context = await h.newContext();
    await context.addInitScript((e) => {
      if (location.protocol !== 'http:' || localStorage.getItem('e2e.seeded')) return;
      localStorage.setItem('e2e.seeded', '1');
      for (const [k, v] of Object.entries(e)) localStorage.setItem(k, v);
    }, entries);
    return context;
  }

  const SAVED = handPlaced(40);
  const unfinished = {
    'sysplay.session.hashing': JSON.stringify(SAVED),
    'sysplay.last': 'hashing',
    'sysplay.opening.hashing': '1',
  };

  it('a session the last visit never finished opening is not replayed: start fresh or try again', { timeout: 120_000 }, async () => {
    const context = await contextWith(unfinished);
    const page = await h.pageIn(context);
    await page.goto(`${h.baseUrl}/`);
    await waitForApp(page);
    const bar = page.locator(tid('stalled-restore'));
    await bar.waitFor({ state: 'visible', timeout: 10_000 });
    assert.match(await bar.textContent(), /did not finish opening last time/);
    await screenshot(page, 'persist-stalled-restore');
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'persist-stalled-restore-top.png'), clip: { x: 0, y: 0, width: 1280, height: 160 } });
    // Not replayed: the default session is shown, and the page answers at once.
    assert.notEqual(await serversShown(page), 40);
    assert.ok((await answerMs(page)) < 1000);
    // The saved session is kept until the user chooses.
    await page.waitForTimeout(1000);
    assert.equal(await page.evaluate(() => localStorage.getItem('sysplay.session.hashing')), JSON.stringify(SAVED));

    await page.locator(tid('stalled-retry')).click();
    await waitForServers(page, 40);
    assert.equal(await bar.count(), 0);
    // Opened and idle: the mark goes, and the next visit opens the session directly.
    await pollUntil(() => page.evaluate(() => localStorage.getItem('sysplay.opening.hashing')), (v) => v === null, {
      timeout: 30_000,
      message: 'the opening mark stayed after the session was shown',
    });
    await page.reload();
    await waitForApp(page);
    await waitForServers(page, 40);
    assert.equal(await page.locator(tid('stalled-restore')).count(), 0);
    assertNoPageErrors(page);

    // Start fresh: the saved session goes, and the next visit shows the default.
    const fresh = await h.pageIn(await contextWith(unfinished));
    await fresh.goto(`${h.baseUrl}/`);
    await waitForApp(fresh);
    await fresh.locator(tid('stalled-fresh')).click();
    assert.equal(await fresh.locator(tid('stalled-restore')).count(), 0);
    assert.match(await noticeText(fresh), /Started fresh/);
    const defaultServers = await serversShown(fresh);
    await fresh.reload();
    await waitForApp(fresh);
    assert.equal(await fresh.locator(tid('stalled-restore')).count(), 0);
    assert.equal(await serversShown(fresh), defaultServers);
    assertNoPageErrors(fresh);
  });

  it('a visit killed while its session was still opening leaves the next one a way out', { timeout: 240_000 }, async () => {
    // The heaviest hashing session, saved as an older version saved it (a link fragment).
    const line = readFileSync(path.join(REPO_ROOT, 'tests/golden/heaviest.txt'), 'utf8')
      .split('\n')
      .find((l) => l.startsWith('hashing\t'));
    const fragment = line.slice(line.indexOf('#') + 1);
    const context = await contextWith({ 'sysplay.session.hashing': fragment, 'sysplay.session': fragment });
    const first = await h.pageIn(context);
    await first.goto(`${h.baseUrl}/`);
    await first.locator(tid('hashing-progress')).waitFor({ timeout: 60_000 });
    // Restoring replays in slices: the page answers while it computes.
    assert.ok((await answerMs(first)) < 1000, 'the page answers while it restores');
    // Left before it finishes (another page, a reload): a page that runs its `pagehide` handler is not
    // frozen, and the next visit replays the session again.
    await first.goto('about:blank');
    await first.goto(`${h.baseUrl}/`);
    await first.locator(tid('hashing-progress')).waitFor({ timeout: 60_000 });
    assert.equal(await first.locator(tid('stalled-restore')).count(), 0, 'a visit that was left offers no way out');
    // The tab is killed before it finishes (as a frozen tab is): it never runs its `pagehide` handler.
    const cdp = await context.newCDPSession(first);
    const crashed = first.waitForEvent('crash');
    cdp.send('Page.crash').catch(() => {}); // answered by no one: the page is gone
    await crashed;
    await first.close();

    const second = await h.pageIn(context);
    await second.goto(`${h.baseUrl}/`);
    await waitForApp(second);
    assert.equal(await second.locator(tid('hashing-progress')).count(), 0, 'the saved session is replayed again');
    await second.locator(tid('stalled-restore')).waitFor({ state: 'visible', timeout: 10_000 });
    assert.ok((await answerMs(second)) < 1000);
    // Kept (the first visit saved it again, as this version saves: its scenario JSON).
    const kept = await second.evaluate(() => localStorage.getItem('sysplay.session.hashing'));
    const heaviest = JSON.parse(readFileSync(path.join(REPO_ROOT, 'tests/golden/heaviest/hashing.json'), 'utf8'));
    assert.ok(kept === fragment || JSON.stringify(JSON.parse(kept)) === JSON.stringify(heaviest), 'the saved session is kept');
    // Trying again replays it (in slices), and once shown the next visit opens it directly.
    await second.locator(tid('stalled-retry')).click();
    await pollUntil(() => second.evaluate(() => localStorage.getItem('sysplay.opening.hashing')), (v) => v === null, {
      timeout: 180_000,
      interval: 500,
      message: 'the opening mark stayed after the session was shown',
    });
    assert.equal(await second.locator(tid('hashing-progress')).count(), 0);
    assertNoPageErrors(second);
  });
});
