// End-to-end tests of the partitioned-log lab, run against the release build in dist/:
//   node --test e2e/
// DOM contract: lab-stream, nav-stream, preset-NAME, stream-pause, add-consumer, consumer-row[data-name],
// crash-consumer, rebalance-banner, consumer-partitions, lag-value, metric-*, ordering-*, share-link.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, VIEWPORTS, waitForText, settle, screenshot, assertNoPageErrors } from './harness.mjs';

const tid = (id) => `[data-testid="${id}"]`;
const PRESETS = ['partition-rebalance', 'commit-before-crash', 'commit-after-crash', 'idle-consumers', 'two-groups'];
const METRICS = ['metric-consumed', 'metric-lost', 'metric-duplicates', 'metric-rebalances', 'metric-paused', 'ordering-cross'];

async function openStream(h, page) {
  await h.openApp(page);
  await page.locator(tid('nav-stream')).click();
  await page.locator(tid('lab-stream')).waitFor();
}

async function metrics(page) {
  const out = {};
  for (const m of METRICS) out[m] = ((await page.locator(tid(m)).first().textContent()) ?? '').trim();
  return out;
}

async function pause(page) {
  const p = page.locator(tid('stream-pause'));
  if (await p.count()) await p.click();
}

describe('partitioned-log lab', () => {
  let h;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h?.close();
  });

  it('adds a consumer live and shows the rebalance, the new assignment and lag numbers', async () => {
    const page = await h.newPage();
    await openStream(h, page);
    await page.locator(tid('preset-partition-rebalance')).click();
    await settle(page);
    await page.waitForTimeout(1500);
    await pause(page);
    const partsBefore = await page.locator(`${tid('consumer-row')}[data-name="c1"] ${tid('consumer-partitions')}`).textContent();
    assert.equal(partsBefore.trim(), 'P0 P1 P2');
    const rebalancesBefore = Number(await page.locator(tid('metric-rebalances')).textContent());
    await page.locator(tid('add-consumer')).click();
    // The preset records c3 joining at 60 s, later than the playhead: the page asks first, and a new
    // branch from here drops that join.
    await page.locator(tid('branch-confirm')).waitFor();
    await page.locator(tid('branch-yes')).click();
    await settle(page);
    await waitForText(page, tid('stream-actions'), (t) => t.includes('c4 joins billing') && !t.includes('c3 joins'));
    await waitForText(page, tid('rebalance-banner'), (t) => t.includes('billing is rebalancing') && t.includes('c4 joined'));
    await screenshot(page, 'stream-rebalancing');
    // Step through the pause: the assignment changes to three consumers.
    for (let i = 0; i < 8; i++) await page.locator(tid('stream-step')).click();
    await waitForText(page, `${tid('consumer-row')}[data-name="c1"] ${tid('consumer-partitions')}`, (t) => t.trim() === 'P0 P1');
    const c4 = await page.locator(`${tid('consumer-row')}[data-name="c4"] ${tid('consumer-partitions')}`).textContent();
    assert.equal(c4.trim(), 'P4 P5');
    const lags = await page.locator(tid('lag-value')).allTextContents();
    assert.equal(lags.length, 6);
    for (const l of lags) assert.match(l.trim(), /^· lag \d+$/);
    // The new branch swaps the preset's one join (c3 at 60 s) for c4's: still one rebalance in the run.
    assert.equal(Number(await page.locator(tid('metric-rebalances')).textContent()), rebalancesBefore);
    assert.match(await page.locator(tid('metric-paused')).textContent(), /^\d+\.\d s$/);
    assertNoPageErrors(page);
  });

  it('a preset share link opens with the same numbers in a fresh context', async () => {
    const page = await h.newPage();
    await openStream(h, page);
    await page.locator(tid('preset-commit-before-crash')).click();
    await settle(page);
    const want = await metrics(page);
    assert.notEqual(want['metric-lost'], '0');
    assert.equal(want['metric-duplicates'], '0');
    await page.locator(tid('share')).click();
    const link = await page.locator(tid('share-link')).inputValue();
    const fresh = await h.newPage();
    await fresh.goto(link);
    await fresh.locator(tid('lab-stream')).waitFor({ timeout: 30_000 });
    assert.deepEqual(await metrics(fresh), want);
    assertNoPageErrors(fresh);
  });

  it('crashes a consumer under commit-after-work and reads the duplicates', async () => {
    const page = await h.newPage();
    await openStream(h, page);
    await page.locator(tid('preset-partition-rebalance')).click();
    await settle(page);
    await page.waitForTimeout(2500);
    await pause(page);
    assert.equal(await page.locator(tid('metric-duplicates')).textContent(), '0');
    await page.locator(`${tid('consumer-row')}[data-name="c1"] ${tid('crash-consumer')}`).click();
    // Keep the preset's later join (at 60 s) and add the crash before it.
    await page.locator(tid('branch-keep')).click();
    await settle(page);
    await waitForText(page, tid('stream-actions'), (t) => t.includes('crash c1 (billing)') && t.includes('c3 joins'));
    await page.locator(`${tid('consumer-row')}[data-name="c1"] ${tid('restart-consumer')}`).waitFor();
    const dup = Number(await page.locator(tid('metric-duplicates')).textContent());
    const crash = (await page.locator(tid('crash-row')).first().textContent()) ?? '';
    const handledAgain = Number(/(\d+) handled but not committed/.exec(crash)[1]);
    assert.equal(dup, handledAgain, crash);
    assert.equal(await page.locator(tid('metric-lost')).textContent(), '0');
    assertNoPageErrors(page);
  });

  it('computes a 100,000-record run in slices, with progress, and then shows it', async () => {
    const page = await h.newPage();
    await openStream(h, page);
    await pause(page);
    await page.locator(tid('stream-clear')).click(); // the preset's recorded join would clash with 32 consumers
    for (const [id, v] of [['cfg-partitions', '64'], ['cfg-records', '100000'], ['cfg-rate', '60000'], ['cfg-handle', '10'], ['cfg-consumers', '32']]) {
      await page.locator(tid(id)).fill(v);
    }
    // The progress may show for less than a second: watch for it from inside the page.
    await page.evaluate(() => {
      window.sawProgress = false;
      new MutationObserver(() => {
        if (document.querySelector('[data-testid="stream-progress"]')) window.sawProgress = true;
      }).observe(document.body, { subtree: true, childList: true });
    });
    const start = Date.now();
    await page.locator(tid('stream-apply')).click();
    await waitForText(page, tid('metric-consumed'), (t) => t === '100,000 / 100,000', { timeout: 120_000 });
    assert.equal(await page.evaluate(() => window.sawProgress), true, 'the run showed its progress');
    console.log(`# 100,000-record partitioned-log run in Chromium: ${Date.now() - start} ms to the outcome`);
    assert.equal(((await page.locator(tid('metric-lost')).textContent()) ?? '').trim(), '0');
    assertNoPageErrors(page);
  });

  it('refuses a bad setup with a clear message', async () => {
    const page = await h.newPage();
    await openStream(h, page);
    await page.locator(tid('cfg-partitions')).fill('65');
    await page.locator(tid('stream-apply')).click();
    await waitForText(page, tid('notice'), (t) => t.includes('Partitions must be between 1 and 64'));
    assertNoPageErrors(page);
  });

  it('screenshots every preset at 1280x800 and one at 375 px', async () => {
    const page = await h.newPage(VIEWPORTS.desktop);
    await openStream(h, page);
    for (const name of PRESETS) {
      await page.locator(tid(`preset-${name}`)).click();
      await page.waitForTimeout(1200);
      await screenshot(page, `stream-${name}`);
    }
    assertNoPageErrors(page);
    const mobile = await h.newPage(VIEWPORTS.mobile);
    await openStream(h, mobile);
    await mobile.locator(tid('preset-commit-after-crash')).click();
    await mobile.waitForTimeout(1200);
    await screenshot(mobile, 'stream-commit-after-crash-375');
    const overflow = await mobile.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `horizontal overflow of ${overflow}px at 375 px`);
    assertNoPageErrors(mobile);
  });
});
