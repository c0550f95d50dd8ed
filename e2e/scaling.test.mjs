// End-to-end tests of the scaling and load-balancing lab, as a person uses it: kill a server at a
// paused moment and watch it refuse requests until the health checks take it out; every policy on the
// same requests beside theory; a slow server under round robin; a preset's share link in a fresh
// context; screenshots at both widths.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, waitForText, screenshot, screenshotBoth, assertNoPageErrors } from './harness.mjs';

const tid = (id) => `[data-testid="${id}"]`;
const secs = (t) => Number(String(t ?? '').replace(/[^\d.]/g, ''));
const text = async (page, id) => ((await page.locator(tid(id)).first().textContent()) ?? '').trim();

/** Opens the lab's own page, as its address in the navigation does. */
async function openScaling(h, page) {
  await page.goto(`${h.baseUrl}/scaling/`, { waitUntil: 'load' });
  await page.locator(tid('lab-scaling')).waitFor({ timeout: 30_000 });
}

/** Every compared policy's measured mean and theory, by name. */
async function compared(page) {
  await page.locator(tid('compare-table')).waitFor({ timeout: 90_000 });
  const out = {};
  for (const r of await page.locator(tid('compare-row')).all()) {
    out[await r.getAttribute('data-policy')] = {
      mean: secs(await r.locator(tid('compare-mean')).textContent()),
      p99: secs(await r.locator(tid('compare-p99')).textContent()),
      theory: secs(await r.locator(tid('compare-theory-mean')).textContent()),
    };
  }
  return out;
}

describe('scaling and load-balancing lab (end to end)', () => {
  let h;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h?.close();
  });

  it('a killed server refuses requests until the health checks take it out; reviving brings it back', async () => {
    const page = await h.newPage();
    await openScaling(h, page);
    const pause = page.locator(tid('scaling-pause'));
    if (await pause.isVisible()) await pause.click();
    await page.locator(tid('scaling-scrubber')).fill('100000');
    await waitForText(page, tid('scaling-clock'), (t) => t.includes('100'));
    await page.locator(tid('kill-server-3')).click();
    await waitForText(page, tid('scaling-actions'), (t) => t.includes('kill server 3'));
    const row = page.locator(tid('server-row')).nth(3);
    await waitForText(page, `${tid('server-row')}:nth-child(4) .state`, (t) => t.includes('down'));
    // Five virtual seconds later the health checks (every 2 s, out after 2 failures) have noticed.
    for (let i = 0; i < 5; i++) await page.locator(tid('scaling-step')).click();
    await waitForText(page, `${tid('server-row')}:nth-child(4) .state`, (t) => t.includes('out of the pool'));
    assert.equal(await row.getAttribute('data-state'), 'down');
    await screenshot(page, 'scaling-server-killed');
    await page.locator(tid('scaling-to-end')).click();
    await waitForText(page, tid('run-failures'), (t) => /noticed each death after [\d.]+ s/.test(t), { timeout: 60_000 });
    const failures = await text(page, 'run-failures');
    const lost = Number(/([\d,]+) lost/.exec(failures)[1].replace(/,/g, ''));
    assert.ok(lost > 0, `the requests at the server when it died are lost: ${failures}`);
    assertNoPageErrors(page);
  });

  it('every policy on the same requests beside theory: the queue-aware ones beat random fourfold', async () => {
    const page = await h.newPage();
    await openScaling(h, page);
    await page.locator(tid('preset-policies-at-80-percent')).click();
    const c = await compared(page);
    assert.equal(c.random.theory, 5, 'M/M/1 at 80% with a 1 s service: 5 s');
    assert.ok(Math.abs(c.random.mean - 5) / 5 < 0.15, `random measured ${c.random.mean} s`);
    assert.ok(c.jsq.mean * 3 < c.random.mean && c['least-connections'].mean * 3 < c.random.mean);
    assert.ok(c.p2c.mean < c['round-robin'].mean && c['round-robin'].mean < c.random.mean);
    // The chart draws each measured mean beside its theory, and says them for a screen reader.
    const label = await page.locator(tid('compare-chart')).getAttribute('aria-label');
    assert.match(label, /random [\d.]+ s \(theory 5\.00 s\)/);
    await page.locator(tid('compare')).scrollIntoViewIfNeeded();
    await screenshot(page, 'scaling-policies');
    assertNoPageErrors(page);
  });

  it('a slow server: round robin queues minutes at it, least connections does not', async () => {
    const page = await h.newPage();
    await openScaling(h, page);
    await page.locator(tid('preset-slow-server')).click();
    const c = await compared(page);
    assert.ok(c['round-robin'].p99 > 20 * c['least-connections'].p99, JSON.stringify(c));
    // The policy switched in the setup: the whole run follows.
    await page.locator(tid('lb-policy')).selectOption('least-connections');
    await page.locator(tid('scaling-apply')).click();
    await waitForText(page, tid('scaling-setup-line'), (t) => t.includes('policy least-connections'));
    // Bad fields are each marked with a sentence, and nothing is applied.
    await page.locator(tid('lb-servers')).fill('0');
    await page.locator(tid('lb-requests')).fill('many');
    await page.locator(tid('lb-policy')).selectOption('round-robin');
    await page.locator(tid('scaling-apply')).click();
    await page.locator(`${tid('scaling-setup')} .field-error`).nth(1).waitFor({ timeout: 10_000 });
    assert.equal(await page.locator(`${tid('scaling-setup')} .field-error`).count(), 2);
    await waitForText(page, tid('scaling-setup-line'), (t) => t.startsWith('4 servers') && t.includes('policy least-connections'));
    assertNoPageErrors(page);
  });

  it('a preset share link opens with the same numbers in a fresh context', async () => {
    const page = await h.newPage();
    await openScaling(h, page);
    await page.locator(tid('preset-dead-server-undetected')).click();
    await page.locator(tid('scaling-to-end')).click();
    await waitForText(page, tid('run-failures'), (t) => t.includes('noticed'), { timeout: 60_000 });
    const want = await text(page, 'run-failures');
    await page.locator(tid('share')).click();
    const link = await page.locator(tid('share-link')).inputValue();
    const fresh = await h.newPage();
    await fresh.goto(link);
    await fresh.locator(tid('lab-scaling')).waitFor({ timeout: 30_000 });
    await fresh.locator(tid('scaling-to-end')).click().catch(() => {});
    await waitForText(fresh, tid('run-failures'), (t) => t === want, { timeout: 60_000 });
    assertNoPageErrors(fresh);
  });

  it('a spike: the autoscaler boots servers while a queue builds, and costs less than a fleet for the peak', async () => {
    const page = await h.newPage();
    await openScaling(h, page);
    await page.locator(tid('preset-autoscale-spike')).click();
    await page.locator(tid('scaling-to-end')).click();
    await page.locator(tid('fleets-table')).waitFor({ timeout: 90_000 });
    const rows = await page.locator(tid('fleet-row')).all();
    assert.equal(rows.length, 3);
    const fleet = async (r) => ({
      name: (await r.locator('th').textContent()).trim(),
      p99: secs(await r.locator(tid('fleet-p99')).textContent()),
      cost: Number((await r.locator(tid('fleet-cost')).textContent()).replace(/[^\d.]/g, '')),
    });
    const [auto, start, peak] = await Promise.all(rows.map(fleet));
    assert.match(peak.name, /fixed for the peak: 27/);
    assert.ok(start.p99 > auto.p99 && auto.p99 > peak.p99, JSON.stringify({ auto, start, peak }));
    assert.ok(auto.cost < peak.cost, JSON.stringify({ auto, peak }));
    // The fleet grew from its 4 servers, and requests piled up while the new ones booted.
    await waitForText(page, tid('fleet-summary'), (t) => /At most \d+ servers/.test(t), { timeout: 60_000 });
    const summary = await text(page, 'fleet-summary');
    const [, most, queued] = /At most (\d+) servers powered and ([\d,]+) requests/.exec(summary);
    assert.ok(Number(most) > 20, summary);
    assert.ok(Number(queued.replace(/,/g, '')) > 500, summary);
    await page.locator(tid('fleet')).scrollIntoViewIfNeeded();
    await screenshot(page, 'scaling-autoscale-spike');
    assertNoPageErrors(page);
  });

  it('a default setup gains an autoscaler and a spike with one click', async () => {
    const page = await h.newPage();
    await openScaling(h, page);
    await page.locator(tid('add-autoscaler')).click();
    await page.locator(tid('fleets-table')).waitFor({ timeout: 90_000 });
    await waitForText(page, tid('fleet-rule'), (t) => t.includes('ceil(servers'));
    // Its settings: a target of 80% applies; fewer most servers than least is refused with a sentence.
    await page.locator(tid('as-target')).fill('80');
    await page.locator(tid('autoscale-apply')).click();
    await waitForText(page, tid('fleet-rule'), (t) => t.includes('/ 80%'));
    await page.locator(tid('as-min')).fill('9');
    await page.locator(tid('as-max')).fill('3');
    await page.locator(tid('autoscale-apply')).click();
    await waitForText(page, tid('autoscale-setup-error'), (t) => t.includes('least servers'));
    await waitForText(page, tid('fleet-rule'), (t) => t.includes('/ 80%'));
    await page.locator(tid('remove-autoscaler')).click();
    await page.locator(tid('add-autoscaler')).waitFor({ timeout: 30_000 });
    assertNoPageErrors(page);
  });

  it('calls over the network: a hundred at once make most requests wait for a late one; two-phase commit holds locks longer', async () => {
    const page = await h.newPage();
    await openScaling(h, page);
    await page.locator(tid('calls-services')).fill('100');
    await page.locator(tid('calls-parallel')).selectOption('parallel');
    await page.locator(tid('calls-apply')).click();
    await waitForText(page, tid('calls-slow-share'), (t) => t.includes('theory 1 - (1 - p)^k = 63.4%'));
    const share = Number(/^([\d.]+)%/.exec(await text(page, 'calls-slow-share'))[1]);
    assert.ok(Math.abs(share - 63.4) < 2, `measured ${share}%`);
    const hot = await text(page, 'tx-hot-row');
    const [, local, twoPhase] = /at most ([\d,]+) transactions a second locally and ([\d,]+)/.exec(hot);
    assert.equal(local, '1000');
    assert.ok(Number(twoPhase) * 3 < 1000, hot);
    // A bad value gets a sentence and changes nothing.
    await page.locator(tid('calls-services')).fill('1000');
    await page.locator(tid('calls-apply')).click();
    await page.locator(`${tid('calls-setup')} [role=alert], ${tid('calls-setup')} .field-error`).first().waitFor({ timeout: 10_000 });
    await waitForText(page, tid('calls-slow-share'), (t) => t.includes('63.4%'));
    await page.locator(tid('calls')).scrollIntoViewIfNeeded();
    await screenshot(page, 'scaling-calls');
    assertNoPageErrors(page);
  });

  it('sticky sessions: a dead server moves its clients, and the balancer stops balancing', async () => {
    const page = await h.newPage();
    await openScaling(h, page);
    await page.locator(tid('preset-sticky-sessions')).click();
    await page.locator(tid('scaling-to-end')).click();
    await waitForText(page, tid('run-sessions'), (t) => /(\d+) sessions moved/.test(t), { timeout: 60_000 });
    const sessions = await text(page, 'run-sessions');
    const moved = Number(/(\d+) sessions moved/.exec(sessions)[1]);
    assert.ok(moved > 0, sessions);
    assert.match(sessions, /clients per server at the end 0,/);
    assert.equal(await page.locator(tid('lb-sticky')).isChecked(), true);
    assertNoPageErrors(page);
  });

  it('one big machine or many: each point of theory simulated beside it', async () => {
    const page = await h.newPage();
    await openScaling(h, page);
    await page.locator(tid('sizing-row')).first().waitFor({ timeout: 30_000 });
    await page.locator(tid('sizing-progress')).waitFor({ state: 'detached', timeout: 90_000 });
    const rows = await page.locator(tid('sizing-row')).all();
    assert.equal(rows.length, 7);
    // At 50% load (the third row) the simulated p99 of each setup is within 20% of its theory.
    for (const which of ['big', 'small']) {
      const theory = secs(await rows[2].locator(tid(`sizing-${which}-theory`)).textContent());
      const simulated = secs(await rows[2].locator(tid(`sizing-${which}-sim`)).textContent());
      assert.ok(Math.abs(simulated / theory - 1) < 0.2, `${which}: ${simulated} s simulated against ${theory} s`);
    }
    await page.locator(tid('sizing')).scrollIntoViewIfNeeded();
    await screenshot(page, 'scaling-sizing');
    assertNoPageErrors(page);
  });

  it('screenshots: two choices at both widths', async () => {
    const page = await h.newPage();
    await openScaling(h, page);
    await page.locator(tid('preset-two-choices')).click();
    await compared(page);
    await screenshotBoth(page, 'scaling-two-choices');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
    assert.equal(overflow, false, 'no horizontal overflow');
    assertNoPageErrors(page);
  });
});
