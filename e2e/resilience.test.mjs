// End-to-end tests of the resilience lab, as a person uses it: build the notes' architecture by
// clicking its steps and watch each single point of failure go; kill a region and read what fails and
// what takes over; read the availability by algebra beside the simulated years; the retry storm
// recovering once a budget is on; a crash under each deployment; screenshots at both widths.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, waitForText, screenshot, screenshotBoth, assertNoPageErrors } from './harness.mjs';

const tid = (id) => `[data-testid="${id}"]`;
const text = async (page, id) => ((await page.locator(tid(id)).first().textContent()) ?? '').trim();
const pct = (t) => Number(String(t).split('%')[0].replace(/[^\d.]/g, ''));

async function openResilience(h, page, suffix = '') {
  await page.goto(`${h.baseUrl}/resilience/${suffix}`, { waitUntil: 'load' });
  await page.locator(tid('lab-resilience')).waitFor({ timeout: 30_000 });
}

describe('resilience lab (end to end)', () => {
  let h;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h?.close();
  });

  it("the notes' steps, clicked one by one, remove every single point of failure but DNS", async () => {
    const page = await h.newPage();
    await openResilience(h, page);
    await waitForText(page, tid('spof-summary'), (t) => t.includes('node-a1, db-a1'));
    const start = pct(await text(page, 'avail-analytic'));
    const steps = [
      ['backup-db', 'node-a1.'],
      ['more-nodes', 'node-a1.'],
      ['load-balancer', 'lb-a1.'],
      ['more-lbs', 'lb-a1.'],
      ['dns', 'dns.'],
      ['coordinator', 'dns.'],
      ['second-region', 'dns.'],
    ];
    for (const [step, left] of steps) {
      await page.locator(tid(`step-${step}`)).click();
      await waitForText(page, tid('resilience-actions'), (t) => t.split('\n').length > 0 && t.length > 0);
      await waitForText(page, tid('spof-summary'), (t) => t === `Single points of failure: ${left}`, { timeout: 30_000 });
    }
    await waitForText(page, tid('next-step'), (t) => t.includes('Every one'));
    // Both regions can now fail alone, and the availability went from about 99.6% to five nines.
    assert.equal(await page.locator(`${tid('region-a')} .spof-badge`).count(), 0);
    const end = pct(await text(page, 'avail-analytic'));
    assert.ok(start < 99.7 && end > 99.998, `${start} -> ${end}`);
    // The simulation agrees with the algebra.
    await waitForText(page, tid('agreement'), (t) => t.includes('agree'), { timeout: 60_000 });
    await screenshotBoth(page, 'resilience-walkthrough');
    await assertNoPageErrors(page);
  });

  it('killing a region fails its requests until DNS and the coordinator move them; killing both stops everything', async () => {
    const page = await h.newPage();
    await openResilience(h, page);
    await page.locator(tid('preset-region-down')).click();
    await waitForText(page, tid('impacts'), (t) => t.includes('region-a down'), { timeout: 30_000 });
    assert.match(await text(page, 'impacts'), /100% of requests fail for 90 s/);
    assert.match(await text(page, 'serving'), /served once the take-overs/);
    assert.equal(await page.locator(tid('part-db-b1')).getAttribute('data-spof'), 'false');
    await page.locator(tid('kill-region-b')).click();
    await waitForText(page, tid('serving'), (t) => t.includes('Every request fails'));
    await screenshot(page, 'resilience-regions-down');
    await page.locator(tid('resilience-undo')).click();
    await waitForText(page, tid('serving'), (t) => t.includes('served once'));
    await assertNoPageErrors(page);
  });

  it('a retry storm stays stuck without defences and recovers with a retry budget', async () => {
    const page = await h.newPage();
    await openResilience(h, page);
    await page.locator(tid('preset-retry-storm')).click();
    await waitForText(page, tid('storm-outcome'), (t) => t.includes('never recovered'), { timeout: 30_000 });
    await page.locator(tid('storm-budget')).click();
    await waitForText(page, tid('storm-outcome'), (t) => t.includes('recovered at'), { timeout: 30_000 });
    await page.locator(tid('storm-chart')).scrollIntoViewIfNeeded();
    await screenshot(page, 'resilience-storm');
    await assertNoPageErrors(page);
  });

  it('a crash takes every request of a monolith and only its own of microservices; the breaker opens at 32.45 s', async () => {
    const page = await h.newPage();
    await openResilience(h, page);
    await page.locator(tid('preset-monolith-crash')).click();
    await waitForText(page, tid('blast-radius'), (t) => t.includes('fails 100% of requests'), { timeout: 30_000 });
    await page.locator(tid('deploy-microservices')).click();
    await waitForText(page, tid('blast-radius'), (t) => /microservices, payment crashing fails \d+% of requests/.test(t) && !t.includes('100%'));
    await waitForText(page, tid('breaker-transitions'), (t) => t.includes('32.45 s: closed → open'));
    await page.locator(tid('breaker-strip')).scrollIntoViewIfNeeded();
    await screenshot(page, 'resilience-breaker');
    await assertNoPageErrors(page);
  });

  it('a hanging dependency takes every worker until a bulkhead keeps some for the healthy one', async () => {
    const page = await h.newPage();
    await openResilience(h, page);
    await page.locator(tid('bulkhead')).scrollIntoViewIfNeeded();
    const refused = async () => Number((await text(page, 'bulkhead-outcome')).match(/([\d.]+)% of A's requests are refused/)[1]);
    await waitForText(page, tid('bulkhead-outcome'), (t) => t.includes('Erlang B'), { timeout: 30_000 });
    const without = await refused();
    assert.ok(without > 50, `without a bulkhead ${without}% refused`);
    await page.locator(tid('bulkhead-on')).click();
    await waitForText(page, tid('bulkhead-outcome'), (t) => t.includes('workers B cannot take'));
    assert.ok((await refused()) < 1);
    await page.locator(tid('bulkhead-chart')).scrollIntoViewIfNeeded();
    await screenshot(page, 'resilience-bulkhead');
    await assertNoPageErrors(page);
  });

  it("the failures' settings move the availability; a bad value is marked and nothing applied", async () => {
    const page = await h.newPage();
    await openResilience(h, page);
    await waitForText(page, tid('avail-analytic'), /%/);
    const before = await text(page, 'avail-analytic');
    await page.locator(tid('mttr-db')).fill('abc');
    await page.locator(tid('failure-apply')).click();
    await page.locator('#mttr-db-error').waitFor();
    assert.equal(await text(page, 'avail-analytic'), before);
    // A database repaired in an hour instead of eight: Node -> Database gains.
    await page.locator(tid('mttr-db')).fill('1');
    await page.locator(tid('failure-apply')).click();
    await waitForText(page, tid('avail-analytic'), (t) => t !== before);
    assert.ok(pct(await text(page, 'avail-analytic')) > pct(before));
    await assertNoPageErrors(page);
  });

  it('a malformed expression gets a caret at its place; the rate limiter limits a burst', async () => {
    const page = await h.newPage();
    await openResilience(h, page);
    await page.locator(tid('expression-input')).fill('a:0.9 > (b:0.9 | ');
    await page.locator(tid('expression-compute')).click();
    await waitForText(page, tid('expression-error'), (t) => t.includes('^'));
    await page.locator(tid('expression-input')).fill('a:0.9 > (b:0.9 | c:0.9)');
    await page.locator(tid('expression-compute')).click();
    await waitForText(page, tid('expression-result'), (t) => t.includes('By algebra 89.10000%'));
    await page.locator(tid('throttle-send')).click();
    await waitForText(page, tid('throttle-answers'), (t) => t.includes('yes'));
    await assertNoPageErrors(page);
  });
});
