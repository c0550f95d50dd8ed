// End-to-end tests of the request-response vs event-driven lab, as a person uses it: kill S4 while the
// requests play and watch the chain's requests wait for the timeout and fail while the event-driven flow
// answers every one; run the notes' commission anomaly and read 100, step through its story, switch on
// the saga and read 150 (and the other fixes, each with its balance); lose an event to a dual write and
// keep it with the outbox; replay the event store and rebuild a buggy projection; the saga both ways;
// open a preset's share link in a fresh context; screenshots at both widths.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, waitForText, screenshot, screenshotBoth, assertNoPageErrors, pollUntil } from './harness.mjs';

const tid = (id) => `[data-testid="${id}"]`;
const num = (t) => Number(String(t ?? '').replace(/[^\d.]/g, ''));
const text = async (page, id) => ((await page.locator(tid(id)).textContent()) ?? '').trim();

/** Opens the lab's own page, as its address in the navigation does. */
async function openEvents(h, page) {
  await page.goto(`${h.baseUrl}/events/`, { waitUntil: 'load' });
  await page.locator(tid('lab-events')).waitFor({ timeout: 30_000 });
}

describe('requests vs events lab (end to end)', () => {
  let h;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h?.close();
  });

  it('killing S4 makes the chain wait for the timeout and fail; the event-driven flow answers every request', async () => {
    const page = await h.newPage();
    await openEvents(h, page);
    const pause = page.locator(tid('events-pause'));
    if (await pause.isVisible()) await pause.click();
    await page.locator(tid('events-scrubber')).fill('2000');
    await waitForText(page, tid('events-clock'), (t) => t.includes('2.0'));
    assert.equal(await page.locator(tid('service-S4')).getAttribute('data-state'), 'up');
    const failedBefore = num(await text(page, 'live-chain-failed'));
    assert.equal(failedBefore, 0, 'everything up: no request failed yet');
    await page.locator(tid('kill-S4')).click();
    await waitForText(page, tid('events-actions'), (t) => t.includes('kill S4'));
    await pollUntil(() => page.locator(tid('service-S4')).getAttribute('data-state'), (s) => s === 'down', { message: 'S4 shown down' });
    // Three virtual seconds later: the first requests after the kill have waited S2's 2 s timeout and
    // failed, the latest are still waiting; the flow failed none, S4's events wait in the broker.
    for (let i = 0; i < 3; i++) await page.locator(tid('events-step')).click();
    await waitForText(page, tid('events-clock'), (t) => t.includes('5.0'));
    await pollUntil(() => text(page, 'live-chain-failed'), (t) => num(t) > 0, { message: 'the chain fails after the timeout' });
    assert.ok(num(await text(page, 'live-chain-waiting')) > 0, 'requests are waiting on the timeout');
    assert.equal(num(await text(page, 'live-flow-failed')), 0, 'the event-driven client saw no failure');
    assert.match(await page.locator(tid('service-S4')).textContent(), /queued/);
    await screenshot(page, 'events-s4-killed');
    await page.locator(tid('events-to-end')).click();
    await waitForText(page, tid('cmp-chain-failures'), (t) => num(t) > 0, { timeout: 60_000 });
    assert.equal(num(await text(page, 'cmp-flow-failures')), 0);
    const p99 = num(await text(page, 'cmp-chain-p99'));
    assert.ok(p99 >= 2000, `the chain's p99 is at least the 2 s timeout (${p99} ms)`);
    assert.ok(num(await text(page, 'cmp-flow-p99')) < 100, "the flow's p99 is S1's latency alone");
    assertNoPageErrors(page);
  });

  it('a service slower than its caller\'s timeout fails the chain as a dead one does; a bad field changes nothing', async () => {
    const page = await h.newPage();
    await openEvents(h, page);
    // S4 at 2.5 s, past S2's 2 s timeout: every request of the chain times out; the flow only waits longer
    // to be consistent.
    await page.locator(tid('ev-latency-S4')).fill('2500');
    await page.locator(tid('ev-rate')).fill('0');
    await page.locator(tid('requests-apply')).click();
    await waitForText(page, `${tid('ev-rate')}[aria-invalid="true"] + .field-error`, (t) => t.includes('between 1 and 100,000'));
    await page.locator(tid('ev-rate')).fill('20');
    await page.locator(tid('requests-apply')).click();
    await waitForText(page, tid('events-setup-line'), (t) => t.includes('200 requests at 20 a second'));
    await page.locator(tid('events-to-end')).click();
    await waitForText(page, tid('cmp-chain-failures'), (t) => t === '200', { timeout: 60_000 });
    assert.equal(num(await text(page, 'cmp-flow-failures')), 0);
    assert.match(await text(page, 'cmp-consistent'), /consistent everywhere at/);
    assertNoPageErrors(page);
  });

  it("the notes' commission anomaly ends at 100; each fix shows its own final balance", async () => {
    const page = await h.newPage();
    await openEvents(h, page);
    await page.locator(tid('preset-commission-anomaly')).click();
    await waitForText(page, tid('commission-final-balance'), (t) => t === '100');
    assert.equal(await text(page, 'commission-taken'), '100');
    assert.match(await text(page, 'commission-invariant'), /Broken/);
    // The story from the start: 1000, then the first commission, the user's 800...
    await page.locator(tid('commission-start')).click();
    await waitForText(page, tid('commission-balance'), (t) => t === '1,000');
    assert.equal(await page.locator(`${tid('commission-log')} li`).count(), 0);
    await pollUntil(async () => {
      await page.locator(tid('commission-next')).click();
      return text(page, 'commission-balance');
    }, (t) => t === '950', { message: 'a step takes the first commission: 950' });
    assert.ok((await page.locator(`${tid('commission-log')} li`).count()) > 0);
    await page.locator(tid('commission-end')).click();
    await waitForText(page, tid('commission-balance'), (t) => t === '100');
    await screenshot(page, 'events-commission-anomaly');
    // The fixes, one at a time.
    const fix = async (id, want) => {
      await page.locator(tid(id)).click();
      await waitForText(page, tid('commission-final-balance'), (t) => t === want);
      await page.locator(tid(id)).click();
      await waitForText(page, tid('commission-final-balance'), (t) => t === '100');
    };
    await fix('fix-saga', '150');
    await fix('fix-single-consumer', '0');
    await fix('fix-idempotency-key', '0');
    await page.locator(tid('fix-saga')).click();
    await waitForText(page, tid('commission-final-balance'), (t) => t === '150');
    assert.equal(await text(page, 'commission-taken'), '50');
    assert.match(await text(page, 'commission-invariant'), /only for transfers made/);
    assertNoPageErrors(page);
  });

  it('a dual write loses the event; the outbox keeps it', async () => {
    const page = await h.newPage();
    await openEvents(h, page);
    await page.locator(tid('preset-dual-write-lost-event')).click();
    await waitForText(page, tid('commission-facts'), (t) => t.includes('lost 1'));
    assert.equal(await text(page, 'commission-final-balance'), '150');
    await page.locator(tid('fix-outbox')).click();
    await waitForText(page, tid('commission-facts'), (t) => t.includes('lost 0'));
    assert.equal(await text(page, 'commission-final-balance'), '0');
    assertNoPageErrors(page);
  });

  it('the event store replays to any point and rebuilds a buggy projection; the saga both ways', async () => {
    const page = await h.newPage();
    await openEvents(h, page);
    await page.locator(tid('preset-event-replay')).click();
    await waitForText(page, tid('projection-buggy'), (t) => t === '100');
    assert.equal(await text(page, 'store-balance-at'), '150');
    await page.locator(tid('projection-fix')).click();
    await waitForText(page, tid('projection-rebuilt'), (t) => t === '150');
    await page.locator(tid('store-replay')).fill('1');
    await waitForText(page, tid('store-balance-at'), (t) => t === '1,000');
    await page.locator(tid('store-replay')).fill('3');
    await waitForText(page, tid('store-balance-at'), (t) => t === '900');
    // The saga: 150 both ways; S2 refusing the 800 too gives both commissions back.
    await waitForText(page, tid('saga-orchestrated-balance'), (t) => t === '150');
    assert.equal(await text(page, 'saga-choreographed-balance'), '150');
    await page.locator(tid('saga-refuse-2')).click();
    await waitForText(page, tid('saga-orchestrated-balance'), (t) => t === '1,000');
    assert.equal(await text(page, 'saga-choreographed-balance'), '1,000');
    await page.locator(tid('saga')).scrollIntoViewIfNeeded();
    await screenshot(page, 'events-store-and-saga');
    assertNoPageErrors(page);
  });

  it('a preset share link opens with the same numbers in a fresh context', async () => {
    const page = await h.newPage();
    await openEvents(h, page);
    await page.locator(tid('preset-chain-retry-duplicates')).click();
    await page.locator(tid('events-to-end')).click();
    await waitForText(page, tid('cmp-duplicates'), (t) => t.includes('108 duplicate writes'), { timeout: 60_000 });
    await page.locator(tid('share')).click();
    const link = await page.locator(tid('share-link')).inputValue();
    const fresh = await h.newPage();
    await fresh.goto(link);
    await fresh.locator(tid('lab-events')).waitFor({ timeout: 30_000 });
    await fresh.locator(tid('events-to-end')).click().catch(() => {});
    await waitForText(fresh, tid('cmp-duplicates'), (t) => t.includes('108 duplicate writes'), { timeout: 60_000 });
    assertNoPageErrors(fresh);
  });

  it('screenshots: the S4 preset at both widths', async () => {
    const page = await h.newPage();
    await openEvents(h, page);
    await page.locator(tid('preset-event-driven-s4-down')).click();
    await page.locator(tid('events-to-end')).click();
    await waitForText(page, tid('cmp-chain-failures'), (t) => t === '200', { timeout: 60_000 });
    await screenshotBoth(page, 'events-s4-down');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
    assert.equal(overflow, false, 'no horizontal overflow');
    assertNoPageErrors(page);
  });
});
