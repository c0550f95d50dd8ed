// End-to-end tests of the sharding and replication lab, as a person uses it: kill a primary and watch a
// replica take over (losing acknowledged writes under asynchronous replication, none under a quorum),
// type queries and see which shards the router asks, kill a whole shard and see the query that needs it
// fail, and open a preset's share link.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, waitForText, pollUntil, screenshot, screenshotBoth, assertNoPageErrors } from './harness.mjs';

const tid = (id) => `[data-testid="${id}"]`;
const num = (t) => Number((t ?? '').replace(/[^\d]/g, ''));
const clockOf = (text) => Number(/t = ([\d.]+) s/.exec(text ?? '')?.[1]);

async function openSharding(h, page) {
  await h.openApp(page);
  await page.locator(tid('nav-sharding')).click();
  await page.locator(tid('lab-sharding')).waitFor();
}

/** Sets up ten thousand users in three shards by id hash, replicated by `mode`, with no action. */
async function smallSetup(page, mode) {
  await page.locator(tid('cfg-users')).fill('10000');
  await page.locator(tid('cfg-shards')).fill('3');
  await page.locator(tid('cfg-key')).selectOption('id-hash');
  await page.locator(tid('cfg-mode')).selectOption(mode);
  await page.locator(tid('sharding-apply')).click();
  await waitForText(page, tid('sharding-setup-line'), (t) => t.startsWith('10,000 users in 3 shards by id-hash'));
  const clear = page.locator(tid('sharding-clear'));
  if (await clear.isEnabled()) await clear.click();
  await page.locator(tid('sharding-actions')).waitFor({ state: 'detached' });
}

/** Pauses the animation and moves it to `seconds` (the scrubber, as a person drags it). */
async function pauseAt(page, seconds) {
  const pause = page.locator(tid('sharding-pause'));
  if (await pause.isVisible()) await pause.click();
  await page.locator(tid('sharding-play')).waitFor();
  await page.locator(tid('sharding-scrubber')).fill(String(Math.round(seconds * 1000)));
  await waitForText(page, tid('sharding-clock'), (t) => clockOf(t) === seconds);
}

/** Answers the branch question (an action recorded before later ones) by keeping the later actions. */
async function keepLater(page) {
  const keep = page.locator(tid('branch-keep'));
  await keep.waitFor({ timeout: 5_000 });
  await keep.click();
}

/** The shard card of shard `s`. */
const shard = (page, s) => page.locator(`${tid('shard')}[data-shard="${s}"]`);

describe('sharding and replication lab (end to end)', () => {
  let h;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h?.close();
  });

  it('kills a primary: a replica is elected, and asynchronous replication loses acknowledged writes', async () => {
    const page = await h.newPage();
    await openSharding(h, page);
    // Asynchronous replication with a 300 ms lag, through the setup form.
    await smallSetup(page, 'async');
    await waitForText(page, tid('sharding-setup-line'), (t) => t.includes('asynchronous'));
    await pauseAt(page, 2);
    const primary = shard(page, 0).locator(`${tid('node')}[data-role="primary"]`);
    const old = await primary.getAttribute('data-node');
    await primary.locator(tid('kill-node')).click();
    await waitForText(page, tid('sharding-actions'), (t) => t.includes(`2.0 s: kill node ${old} of shard 0`));
    await page.locator(tid('sharding-to-end')).click();
    await waitForText(page, tid('sharding-clock'), (t) => t.includes('run over'), { timeout: 60_000 });
    // A replica of shard 0 is primary now, in a later term, and the timeline says who won.
    const state = await page.locator(`${tid('shard')}[data-shard="0"] ${tid('shard-state')}`).textContent();
    const m = /primary node (\d+), term (\d+)/.exec(state);
    assert.ok(m, state);
    assert.notEqual(m[1], old, 'a replica took over');
    assert.ok(Number(m[2]) >= 2, state);
    await waitForText(page, tid('election-timeline'), (t) => t.includes(`node ${m[1]} elected primary of term ${m[2]}`));
    // The writes the dead primary had acknowledged but not shipped are lost, and listed.
    const lost = num(await page.locator(tid('metric-lost')).textContent());
    assert.ok(lost > 0, 'asynchronous failover lost acknowledged writes');
    assert.equal(num(await page.locator(tid('live-lost')).textContent()), lost);
    await page.locator(`${tid('lost-writes')} summary`).click();
    await screenshotBoth(page, 'sharding-async-failover');
    assertNoPageErrors(page);
  });

  it('under a majority quorum the same kill loses nothing', async () => {
    const page = await h.newPage();
    await openSharding(h, page);
    await smallSetup(page, 'quorum');
    await waitForText(page, tid('sharding-setup-line'), (t) => t.includes('majority quorum'));
    await pauseAt(page, 2);
    const primary = shard(page, 0).locator(`${tid('node')}[data-role="primary"]`);
    await primary.locator(tid('kill-node')).click();
    await page.locator(tid('sharding-to-end')).click();
    await waitForText(page, tid('sharding-clock'), (t) => t.includes('run over'), { timeout: 60_000 });
    await waitForText(page, tid('metric-elections'), (t) => num(t) >= 1);
    assert.equal(num(await page.locator(tid('metric-lost')).textContent()), 0);
    assertNoPageErrors(page);
  });

  it('routes typed queries: one shard for an id, every shard for a city, with the exact count', async () => {
    const page = await h.newPage();
    await openSharding(h, page);
    await smallSetup(page, 'quorum');
    await pauseAt(page, 1);
    await page.locator(tid('query-text')).fill('SELECT * FROM users WHERE id = 4200');
    await page.locator(tid('query-route')).click();
    await waitForText(page, tid('shards-touched'), (t) => t === 'Shards touched: 1');
    assert.equal(await page.locator(`${tid('plan-shard')}[data-asked="true"]`).count(), 1);
    await waitForText(page, tid('answer-rows'), (t) => t === '1');
    await waitForText(page, tid('answer-scanned'), (t) => t === '1');
    // A query on the location, which is not the shard key: scatter-gather over the three shards.
    await page.locator(tid('sharding-step')).click();
    await waitForText(page, tid('sharding-clock'), (t) => clockOf(t) === 2);
    await page.locator(tid('query-text')).fill("SELECT count(*) FROM users WHERE location = 'London'");
    await page.locator(tid('query-route')).click();
    await waitForText(page, tid('shards-touched'), (t) => t === 'Shards touched: 3');
    await waitForText(page, tid('answer-scanned'), (t) => t === '10,000');
    const london = num(await page.locator(tid('answer-rows')).textContent());
    assert.ok(london > 0 && london < 10_000, `London has ${london} of 10,000 users`);
    // Split by rows, the three shards read every whole row; split by columns, only (id, location) is read.
    await waitForText(page, tid('split-rows-cells'), (t) => t === '50,000');
    assert.equal(await page.locator(tid('split-columns-read')).textContent(), '10,000');
    assert.equal(await page.locator(tid('split-columns-cells')).textContent(), '20,000');
    // Names and emails of London's users: the location group filters, the two others are read by id for
    // the matches only, and the rows are put back together by id.
    await page.locator(tid('sharding-step')).click();
    await waitForText(page, tid('sharding-clock'), (t) => clockOf(t) === 3);
    await page.locator(tid('query-text')).fill("SELECT name, email FROM users WHERE location = 'London'");
    await page.locator(tid('query-route')).click();
    await waitForText(page, tid('split-columns-read'), (t) => num(t) === 10_000 + 2 * london);
    assert.equal(num(await page.locator(tid('split-columns-cells')).textContent()), 20_000 + 5 * london);
    assert.match(await page.locator(tid('split-columns')).textContent(), /3 of 3 servers asked; the rows are put back together by id/);
    await screenshot(page, 'sharding-split');
    // Outside the subset: a sentence says what is supported, nothing is recorded.
    await page.locator(tid('query-text')).fill('DROP TABLE users');
    await page.locator(tid('query-route')).click();
    await waitForText(page, tid('notice'), (t) => t.toLowerCase().includes('supported'));
    await waitForText(page, tid('sharding-actions'), (t) => !t.includes('DROP'));
    await screenshot(page, 'sharding-queries');
    assertNoPageErrors(page);
  });

  it('a dead shard fails the query that needs it, and a partial answer is flagged', async () => {
    const page = await h.newPage();
    await openSharding(h, page);
    await page.locator(tid('preset-kill-whole-shard')).click();
    await pauseAt(page, 4);
    await waitForText(page, `${tid('shard')}[data-shard="1"] ${tid('shard-state')}`, (t) => t.includes('down'));
    // The last query routed by 4 s is the one at 3 s: a lookup or the counts, which the dead shard affects.
    await page.locator(tid('query-text')).fill('SELECT count(*) FROM users WHERE age >= 50');
    await page.locator(tid('query-route')).click();
    await keepLater(page);
    await waitForText(page, tid('query-status'), (t) => t.includes('Status: failed'));
    await waitForText(page, tid('query-errors'), (t) => t.includes('Shard 1 is unavailable'));
    await page.locator(tid('query-partial')).check();
    await page.locator(tid('query-route')).click();
    await keepLater(page);
    await waitForText(page, tid('query-status'), (t) => t.includes('partial answer'));
    assertNoPageErrors(page);
  });

  it("opens a preset's share link with the same session and numbers", async () => {
    const page = await h.newPage();
    await openSharding(h, page);
    await page.locator(tid('preset-failover-async')).click();
    await page.locator(tid('sharding-to-end')).click();
    await waitForText(page, tid('sharding-clock'), (t) => t.includes('run over'), { timeout: 60_000 });
    const lost = await page.locator(tid('metric-lost')).textContent();
    await page.locator(tid('share')).click();
    const link = await page.locator(tid('share-link')).inputValue();
    const other = await h.newPage();
    await other.goto(link);
    await other.locator(tid('lab-sharding')).waitFor({ timeout: 30_000 });
    await waitForText(other, tid('metric-lost'), (t) => t === lost.trim(), { timeout: 60_000 });
    await waitForText(other, tid('sharding-actions'), (t) => t.includes('kill the primary of shard 0'));
    assertNoPageErrors(other);
  });

  it('reshards: hashing the id modulo the shards moves most users, the ring about the least possible', async () => {
    const page = await h.newPage();
    await openSharding(h, page);
    await smallSetup(page, 'quorum');
    await page.locator(tid('reshard-table')).waitFor({ timeout: 30_000 });
    const moved = async (key) =>
      Number(/\(([\d.]+)%\)/.exec(await page.locator(`${tid('reshard-row')}[data-key="${key}"] ${tid('reshard-moved')}`).textContent())[1]);
    assert.equal(await page.locator(tid('reshard-row')).count(), 4);
    // 3 -> 4 shards: modulo moves about 1 - 1/4 = 75% of users, the ring about the new shard's fair share (25%).
    const modulo = await moved('id-hash');
    const ring = await moved('ring');
    assert.ok(modulo > 70 && modulo < 80, `id-hash moved ${modulo}%`);
    assert.ok(ring < 40, `ring moved ${ring}%`);
    // Hot ids (Zipf over ids, id 1 the hottest): equal id ranges put most queries on shard 0 (about 2.7
    // times the mean for s = 1 over 10,000 ids in 3 ranges); hashing the id spreads them.
    const skew = async (key) => Number(await page.locator(`${tid('skew-row')}[data-key="${key}"] ${tid('skew-max')}`).textContent());
    assert.ok((await skew('id-range')) > 2, `id-range max/mean ${await skew('id-range')}`);
    assert.ok((await skew('id-hash')) < 1.3, `id-hash max/mean ${await skew('id-hash')}`);
    // To 2 shards instead: the table follows.
    await page.locator(tid('reshard-to')).fill('2');
    await page.locator(tid('reshard-to')).dispatchEvent('change');
    await waitForText(page, `${tid('reshard-table')} caption`, (t) => t.includes('3 → 2 shards'), { timeout: 30_000 });
    await screenshot(page, 'sharding-reshard');
    assertNoPageErrors(page);
  });

  it('the setup form sets the skewed load: hot cities crowd the location key onto one shard', async () => {
    const page = await h.newPage();
    await openSharding(h, page);
    await smallSetup(page, 'quorum');
    await page.locator(tid('skew-table')).waitFor({ timeout: 30_000 });
    // An exponent outside the limits is refused in the field's own unit, and nothing changes.
    await page.locator(tid('cfg-load-skew')).fill('5');
    await page.locator(tid('sharding-apply')).click();
    await waitForText(page, tid('notice'), (t) => t.includes("The load's skew (Zipf s) must be between 0 and 3 (got 5)"));
    await page.locator(tid('cfg-load-kind')).selectOption('cities');
    await page.locator(tid('cfg-load-queries')).fill('5000');
    await page.locator(tid('cfg-load-skew')).fill('1.5');
    await page.locator(tid('cfg-key')).selectOption('location');
    await page.locator(tid('sharding-apply')).click();
    await waitForText(page, tid('skew-caption'), (t) => t.startsWith('Load of 5,000 lookups by location') && t.includes('s = 1.5'),
      { timeout: 30_000 });
    // Lookups by city under the location key ask one shard each. The directory gives London a shard of its
    // own (a third of the users at s = 1), and London draws 1 / (sum of k^-1.5, k = 1..12) = 48.9% of the
    // lookups: 3 x 0.489 = 1.47 times the mean (5,000 draws: within 0.07). Under an id key every lookup
    // asks every shard.
    const cell = async (key, n) =>
      Number(await page.locator(`${tid('skew-row')}[data-key="${key}"] td:nth-of-type(${n})`).textContent());
    const zeta = Array.from({ length: 12 }, (_, k) => (k + 1) ** -1.5).reduce((a, b) => a + b);
    const hot = await cell('location', 3);
    assert.ok(Math.abs(hot - 3 / zeta) < 0.07, `location max/mean ${hot}, theory ${(3 / zeta).toFixed(3)}`);
    assert.equal(await cell('location', 5), 1);
    assert.equal(await cell('id-hash', 5), 3);
    await screenshot(page, 'sharding-skew-cities');
    assertNoPageErrors(page);
  });

  it('cuts a primary off the network: the majority elects another, and healing ends the partition', async () => {
    const page = await h.newPage();
    await openSharding(h, page);
    await smallSetup(page, 'quorum');
    await pauseAt(page, 2);
    const primary = shard(page, 0).locator(`${tid('node')}[data-role="primary"]`);
    const old = await primary.getAttribute('data-node');
    await primary.locator(tid('isolate-node')).click();
    await waitForText(page, tid('sharding-actions'), (t) => t.includes('partition shard 0'));
    await page.locator(tid('sharding-step')).click();
    await page.locator(tid('sharding-step')).click();
    const state = await pollUntil(
      () => shard(page, 0).locator(tid('shard-state')).textContent(),
      (t) => { const m = /primary node (\d+), term (\d+)/.exec(t); return m && m[1] !== old; },
      { message: 'the majority side elects a new primary' },
    );
    assert.ok(Number(/term (\d+)/.exec(state)[1]) >= 2, state);
    await shard(page, 0).locator(tid('heal')).click();
    await waitForText(page, tid('sharding-actions'), (t) => t.includes('heal the network of shard 0'));
    assertNoPageErrors(page);
  });

  it('measures quorum staleness beside C(N-W, R) / C(N, R), and a strict quorum is never stale', async () => {
    const page = await h.newPage();
    await openSharding(h, page);
    await page.locator(tid('pbs-n')).fill('3');
    await page.locator(tid('pbs-w')).fill('1');
    await page.locator(tid('pbs-r')).fill('1');
    await page.locator(tid('pbs-measure')).click();
    // C(2, 1) / C(3, 1) = 2/3: the measured fraction within its interval of 66.67%.
    const text = await waitForText(page, tid('pbs-result'), (t) => t.includes('theory'));
    const [, lo, hi] = /interval ([\d.]+)% to ([\d.]+)%/.exec(text).map(Number);
    assert.ok(lo <= 66.67 && 66.67 <= hi, text);
    assert.ok(text.includes('= 66.67%'), text);
    await page.locator(tid('pbs-window')).waitFor();
    await page.locator(tid('pbs-w')).fill('2');
    await page.locator(tid('pbs-r')).fill('2');
    await page.locator(tid('pbs-measure')).click();
    await waitForText(page, tid('pbs-result'), (t) => t.includes('in 0 of 20,000 trials') && t.includes('never stale'));
    await page.locator(tid('pbs-w')).fill('9');
    await page.locator(tid('pbs-measure')).click();
    await page.locator(tid('pbs-error')).waitFor();
    assertNoPageErrors(page);
  });
});
