// End-to-end tests of the publish/subscribe lab, run against the release build in dist/:
//   node --test e2e/
// DOM contract: nav-pubsub, lab-pubsub, pause, publish-topic, publish-count, publish, publish-error,
// sub-row[data-service][data-kind][data-pattern] (one per queue) with binding[data-pattern] and its
// unsubscribe button, sub-matched / sub-missed / stop-service, event-log,
// pubsub-actions, metric-*, compare-*, preset-NAME, share, share-link.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, VIEWPORTS, waitForText, settle, screenshot, assertNoPageErrors } from './harness.mjs';

const tid = (id) => `[data-testid="${id}"]`;
const PRESETS = ['fanout-email-down', 'broker-crash-persistent', 'broker-crash-in-memory', 'topic-routing'];
const METRICS = ['metric-published', 'metric-rejected', 'metric-missed', 'metric-lost', 'metric-duplicates', 'metric-fanout'];
const row = (service) => `${tid('sub-row')}[data-service="${service}"]`;

async function openPubsub(h, page) {
  await h.openApp(page);
  await page.locator(tid('nav-pubsub')).click();
  await page.locator(tid('lab-pubsub')).waitFor();
}

async function pause(page) {
  const button = page.locator(tid('pause'));
  if (await button.count()) await button.click();
  await page.locator(tid('play')).waitFor();
  await settle(page);
}

async function cell(page, service, id) {
  return Number(((await page.locator(`${row(service)} ${tid(id)}`).textContent()) ?? '').trim());
}

async function publish(page, topic, count = '1') {
  await page.locator(tid('publish-topic')).fill(topic);
  await page.locator(tid('publish-count')).fill(count);
  await page.locator(tid('publish')).click();
  await settle(page);
}

async function metrics(page) {
  const out = {};
  for (const m of METRICS) out[m] = ((await page.locator(tid(m)).textContent()) ?? '').trim();
  return out;
}

describe('publish/subscribe lab', () => {
  let h;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h?.close();
  });

  it('a hand-published order_created fans out to Email and Inventory', async () => {
    const page = await h.newPage();
    await openPubsub(h, page);
    await pause(page);
    const before = { email: await cell(page, 'Email', 'sub-matched'), inventory: await cell(page, 'Inventory', 'sub-matched') };
    await publish(page, 'order_created');
    // The preset records actions later than the playhead: start a new branch from here.
    await page.locator(tid('branch-yes')).click();
    await settle(page);
    await waitForText(page, tid('pubsub-actions'), (t) => t.includes('publish order_created'));
    await waitForText(page, `${row('Email')} ${tid('sub-matched')}`, (t) => Number(t) === before.email + 1);
    assert.equal(await cell(page, 'Inventory', 'sub-matched'), before.inventory + 1);
    await waitForText(page, tid('event-log'), (t) => /order_created → Email \([^)]*\), Inventory/.test(t));
    assertNoPageErrors(page);
  });

  it('stopping a service makes its ephemeral subscription miss, and bad topics get a message', async () => {
    const page = await h.newPage();
    await openPubsub(h, page);
    await pause(page);
    await page.locator(`${row('Push')} ${tid('stop-service')}`).click();
    // Keep the preset's later actions (its later publishes count below), here and for the publish.
    await page.locator(tid('branch-keep')).click();
    await page.locator(`${row('Push')} ${tid('start-service')}`).waitFor();
    await settle(page);
    const missed = await cell(page, 'Push', 'sub-missed');
    await publish(page, 'order_created', '2');
    await page.locator(tid('branch-keep')).click();
    await waitForText(page, `${row('Push')} ${tid('sub-missed')}`, (t) => Number(t) === missed + 2);
    await waitForText(page, tid('event-log'), (t) => t.includes('Push (MISSED, service down)'));

    await publish(page, '');
    await waitForText(page, tid('publish-error'), (t) => t.includes('empty'));
    await publish(page, 'order created!');
    await waitForText(page, tid('publish-error'), (t) => t.includes('not valid'));
    await publish(page, 'order_created', '0');
    await waitForText(page, tid('publish-error'), (t) => t.includes('from 1 to 1000'));

    // The setup form refuses a rate of 0 with the limit, and applies a valid change.
    await page.locator(tid('setup-rate')).fill('0');
    await page.locator(tid('setup-apply')).click();
    await waitForText(page, tid('setup-error'), (t) => t.includes('between 1 and 6,000'));
    await page.locator(tid('setup-events')).fill('20');
    await page.locator(tid('setup-rate')).fill('60');
    await page.locator(tid('setup-apply')).click();
    // 20 from the publishers, 5 from the preset's burst at 59 s, 2 by hand above.
    await waitForText(page, tid('metric-published'), (t) => Number(t) === 20 + 5 + 2);
    assertNoPageErrors(page);
  });

  it('topic-routing: Q2 is one queue with two bindings and gets lazy.pink.rabbit once', async () => {
    const page = await h.newPage();
    await openPubsub(h, page);
    await page.locator(tid('preset-topic-routing')).click();
    await settle(page);
    const end = page.locator(tid('to-end'));
    if (await end.isEnabled()) await end.click();
    await settle(page);
    assert.equal(await page.locator(row('Q2')).count(), 1, 'one row per queue');
    assert.deepEqual(
      await page.locator(`${row('Q2')} ${tid('binding')}`).evaluateAll((els) => els.map((e) => e.dataset.pattern)),
      ['*.*.rabbit', 'lazy.#'],
    );
    await waitForText(page, `${row('Q2')} ${tid('sub-matched')}`, (t) => Number(t) === 5);
    assert.equal(await cell(page, 'Q1', 'sub-matched'), 3);
    await waitForText(page, tid('event-log'), (t) => t.includes('lazy.pink.rabbit → Q2 (queued, once for 2 bindings)'));
    await waitForText(page, tid('compare-twice'), (t) => t.includes('1 extra callback '));
    // Removing one binding keeps the queue with its other binding.
    await page.locator(`${row('Q2')} ${tid('unsubscribe')}[data-pattern="lazy.#"]`).click();
    await waitForText(page, tid('pubsub-actions'), (t) => t.includes('Q2 unsubscribes from lazy.#'));
    await page.waitForFunction(
      (sel) => document.querySelectorAll(sel).length === 1,
      `${row('Q2')} ${tid('binding')}`,
    );
    assert.equal(await page.locator(row('Q2')).count(), 1);
    assertNoPageErrors(page);
  });

  it('a preset share link opens with the same numbers in a fresh context', async () => {
    const page = await h.newPage();
    await openPubsub(h, page);
    await page.locator(tid('preset-fanout-email-down')).click();
    await settle(page);
    const want = await metrics(page);
    assert.notEqual(want['metric-missed'], '0');
    assert.equal(want['metric-lost'], '0');
    const bus = ((await page.locator(tid('compare-bus-lost')).textContent()) ?? '').trim();
    await page.locator(tid('share')).click();
    const link = await page.locator(tid('share-link')).inputValue();
    const fresh = await h.newPage();
    await fresh.goto(link);
    await fresh.locator(tid('lab-pubsub')).waitFor({ timeout: 30_000 });
    assert.deepEqual(await metrics(fresh), want);
    assert.equal(((await fresh.locator(tid('compare-bus-lost')).textContent()) ?? '').trim(), bus);
    assertNoPageErrors(fresh);
  });

  it('screenshots every preset, one at 375 px and one in dark mode', async () => {
    const page = await h.newPage(VIEWPORTS.desktop);
    await openPubsub(h, page);
    for (const name of PRESETS) {
      await page.locator(tid(`preset-${name}`)).click();
      const end = page.locator(tid('to-end'));
      if (await end.isEnabled()) await end.click();
      await page.waitForTimeout(700);
      await screenshot(page, `pubsub-${name}`);
    }
    assertNoPageErrors(page);
    const mobile = await h.newPage(VIEWPORTS.mobile);
    await openPubsub(h, mobile);
    await mobile.locator(tid('preset-fanout-email-down')).click();
    await mobile.waitForTimeout(1500);
    await screenshot(mobile, 'pubsub-fanout-email-down-375');
    const overflow = await mobile.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `horizontal overflow of ${overflow}px at 375 px`);
    assertNoPageErrors(mobile);
    const dark = await h.newPage(VIEWPORTS.desktop);
    await dark.emulateMedia({ colorScheme: 'dark' });
    await openPubsub(h, dark);
    await dark.locator(tid('preset-broker-crash-persistent')).click();
    await dark.waitForTimeout(1500);
    await screenshot(dark, 'pubsub-dark');
    assertNoPageErrors(dark);
  });
});
