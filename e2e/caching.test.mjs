// End-to-end tests of the caching lab, as a person uses it: step through the notes' loop one request at a
// time and watch LRU miss every one (evicting exactly the key asked for next) while Belady's optimum hits
// half; request a key by hand at a paused moment and see it hit; run the popular-keys preset and read
// every policy against the optimum and Che's approximation, with the miss-ratio curves computed in
// slices; the other parts (the notes' 220 ms path, a stale bank balance flagged, a CDN's edges per region);
// open a preset's share link in a fresh context; screenshots at both widths and in the dark.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, waitForText, screenshot, assertNoPageErrors, VIEWPORTS } from './harness.mjs';

const tid = (id) => `[data-testid="${id}"]`;
const pctOf = (t) => Number(/([\d.]+)%/.exec(t ?? '')?.[1]);
const row = (policy) => `${tid('cache-policy-row')}[data-policy="${policy}"]`;

async function openCaching(h, page) {
  await h.openApp(page);
  await page.locator(tid('nav-caching')).click();
  await page.locator(tid('lab-caching')).waitFor();
}

/** Pauses and goes back to before the first request. */
async function toStart(page) {
  const pause = page.locator(tid('caching-pause'));
  if (await pause.isVisible()) await pause.click();
  await page.locator(tid('caching-scrubber')).fill('0');
  await waitForText(page, tid('caching-clock'), (t) => t.startsWith('request 0'));
}

/** The whole-run hit ratio of every policy and the optimum, by name. */
async function wholeRun(page) {
  await waitForText(page, `${row('optimal')} ${tid('cache-policy-whole')}`, (t) => t.includes('%'), { timeout: 60_000 });
  const out = {};
  for (const r of await page.locator(tid('cache-policy-row')).all()) {
    out[await r.getAttribute('data-policy')] = pctOf(await r.locator(tid('cache-policy-whole')).textContent());
  }
  return out;
}

describe('caching lab (end to end)', () => {
  let h;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h?.close();
  });

  it("steps through the notes' 1, 2, 3, 4 loop: LRU misses every request, evicting the next key asked for", async () => {
    const page = await h.newPage();
    await openCaching(h, page);
    await toStart(page);
    await waitForText(page, tid('cache-current'), (t) => t.includes('No request served yet: 12 to come'));
    for (let i = 1; i <= 12; i++) {
      await page.locator(tid('caching-step')).click();
      const key = ((i - 1) % 4) + 1;
      await waitForText(page, tid('cache-current'), (t) => t.includes(`Request ${i} of 12: key ${key}.`));
      const watched = page.locator(tid('cache-watched'));
      assert.equal(((await watched.locator('.badge').textContent()) ?? '').trim(), 'miss', `request ${i} misses under LRU`);
      const why = (await page.locator(tid('cache-watched-why')).textContent()) ?? '';
      const keys = await watched.locator(tid('cache-key')).allTextContents();
      if (i <= 3) {
        assert.match(why, /had room/);
      } else {
        // LRU evicts the least recently used key: the one the loop asks for next.
        assert.match(why, new RegExp(`evicted ${(key % 4) + 1} \\(the least recently used\\)`), why);
      }
      assert.equal(keys.length, Math.min(i, 3), `the cache holds ${Math.min(i, 3)} keys`);
      if (i === 4) await screenshot(page, 'caching-notes-loop-request-4');
    }
    // The last requests: all misses under LRU.
    assert.equal(await page.locator(`${tid('cache-recent')} li.miss`).count(), 12);
    const whole = await wholeRun(page);
    assert.equal(whole.lru, 0);
    assert.equal(whole.optimal, 50);
    assert.equal(((await page.locator(`${row('lru')} td.num`).nth(0).textContent()) ?? '').trim(), '0');
    assert.equal(((await page.locator(`${row('optimal')} td.num`).nth(0).textContent()) ?? '').trim(), '6');
    assertNoPageErrors(page);
  });

  it('a key requested by hand at a paused moment is served there, and hits', async () => {
    const page = await h.newPage();
    await openCaching(h, page);
    await toStart(page);
    for (let i = 0; i < 3; i++) await page.locator(tid('caching-step')).click();
    await waitForText(page, tid('caching-clock'), (t) => t.startsWith('request 3'));
    await page.locator(tid('cache-request-key')).fill('x');
    await page.locator(tid('cache-request')).click();
    await waitForText(page, tid('cache-request-error'), (t) => t.includes('whole number'));
    await page.locator(tid('cache-request-key')).fill('2');
    await page.locator(tid('cache-request')).click();
    await waitForText(page, tid('caching-actions'), (t) => t.includes('after request 3: request key 2'));
    // Served right after request 3: 1, 2, 3 are cached, so every policy hits it.
    await waitForText(page, tid('cache-current'), (t) => t.includes('key 2, made by hand'));
    assert.equal(((await page.locator(`${tid('cache-watched')} .badge`).textContent()) ?? '').trim(), 'hit');
    for (const p of ['lru', 'fifo', 'arc', 'optimal']) {
      assert.equal(((await page.locator(`${row(p)} .badge`).textContent()) ?? '').trim(), 'hit', `${p} hits`);
    }
    // Undo takes it back.
    await page.locator(tid('caching-undo')).click();
    await page.locator(tid('caching-actions')).waitFor({ state: 'detached' });
    assertNoPageErrors(page);
  });

  it('the popular-keys preset: frequency-aware policies beat LRU, LRU agrees with Che, the curves fill in', async () => {
    const page = await h.newPage();
    await openCaching(h, page);
    await page.locator(tid('preset-zipf-policies')).click();
    await page.locator(tid('caching-to-end')).click();
    const whole = await wholeRun(page);
    for (const p of ['lfu', 'arc', 'w-tinylfu', 's3-fifo', 'sieve']) assert.ok(whole[p] > whole.lru + 5, `${p} ${whole[p]} vs LRU ${whole.lru}`);
    for (const p of Object.keys(whole)) assert.ok(whole[p] <= whole.optimal, `${p} at most the optimum`);
    const che = pctOf(await page.locator(tid('cache-che')).textContent());
    assert.ok(Math.abs(che - whole.lru) < 1.5, `Che ${che}% against LRU ${whole.lru}%`);
    // The miss-ratio curves: computed in slices, then the table of numbers.
    await page.locator(tid('cache-mrc-table')).waitFor({ state: 'attached', timeout: 60_000 });
    // Twenty sizes on a log scale from 1 to the 5,000 keys (the smallest ones round alike: each once).
    const rows = await page.locator(`${tid('cache-mrc-table')} tbody tr`).count();
    assert.ok(rows >= 15 && rows <= 20, `${rows} sizes`);
    await page.locator(tid('cache-mrc')).scrollIntoViewIfNeeded();
    await screenshot(page, 'caching-zipf-policies');
    assertNoPageErrors(page);
  });

  it('a preset share link opens with the same numbers in a fresh context', async () => {
    const page = await h.newPage();
    await openCaching(h, page);
    await page.locator(tid('preset-scan-resistance')).click();
    await page.locator(tid('caching-to-end')).click();
    const want = await wholeRun(page);
    assert.ok(want['w-tinylfu'] > want.lru, 'the scan floods LRU, not W-TinyLFU');
    await page.locator(tid('share')).click();
    const link = await page.locator(tid('share-link')).inputValue();
    const fresh = await h.newPage();
    await fresh.goto(link);
    await fresh.locator(tid('lab-caching')).waitFor({ timeout: 30_000 });
    await fresh.locator(tid('caching-to-end')).click().catch(() => {});
    assert.deepEqual(await wholeRun(fresh), want);
    assertNoPageErrors(fresh);
  });

  it('a bad trace gets a sentence and changes nothing; a good one replays', async () => {
    const page = await h.newPage();
    await openCaching(h, page);
    await page.locator(tid('cache-kind')).selectOption('trace');
    await page.locator(tid('cache-trace')).fill('1\n2\nthree\n');
    await page.locator(tid('cache-apply')).click();
    await waitForText(page, tid('cache-setup-error'), (t) => t.includes('Line 3 of the trace is not a key'));
    await page.locator(tid('cache-trace')).fill('* a comment\n1\n2\n1\n3\n1\n');
    await page.locator(tid('cache-capacity')).fill('2');
    await page.locator(tid('cache-apply')).click();
    await waitForText(page, tid('caching-setup-line'), (t) => t.includes('a trace of 5 requests'));
    await page.locator(tid('caching-to-end')).click();
    const whole = await wholeRun(page);
    // 1, 2, 1, 3, 1 with room for 2: LRU hits the second and third 1 (40%); so does the optimum.
    assert.equal(whole.lru, 40);
    assert.equal(whole.optimal, 40);
    assertNoPageErrors(page);
  });

  it("the other parts: the notes' 220 ms path, a stale balance flagged, a CDN's edges cutting the US's latency", async () => {
    const page = await h.newPage();
    await openCaching(h, page);
    // Placement: with no cache every request takes the notes' 100 + 10 + 10 + 100 ms (plus a disk read on a
    // buffer miss), and every cache level lowers the mean.
    await waitForText(page, tid('placement-arithmetic'), (t) => t.includes('100 + 10 + 10 + 100 = 220 ms'));
    await page.locator(tid('placement-table')).waitFor({ timeout: 60_000 });
    const mean = async (setup) => Number(((await page.locator(`${tid('placement-row')}[data-setup="${setup}"] ${tid('placement-mean')}`).textContent()) ?? '').replace(/[^\d.]/g, ''));
    const none = await mean('NoCache');
    assert.ok(none >= 220, `no cache: ${none} ms`);
    for (const s of ['ClientOnly', 'ServerOnly', 'All']) assert.ok((await mean(s)) < none, `${s} is faster than no cache`);
    // Consistency: the like count's stale share beside theory; write-back loses writes when the cache dies.
    await page.locator(tid('preset-bank-balance')).click();
    await waitForText(page, tid('bank-result'), (t) => /\d[\d,]* of [\d,]+ balance reads were stale/.test(t) && !t.startsWith('0 of'), { timeout: 60_000 });
    assert.equal(await page.locator(`${tid('bank-result')}.bad`).count(), 1, 'stale balances are flagged as errors');
    const lost = await page.locator(`${tid('writes-row')}[data-policy="WriteBack"] ${tid('writes-lost')}`).textContent();
    assert.ok(Number((lost ?? '').replace(/[^\d]/g, '')) > 0, 'write-back loses the writes at risk when the cache dies');
    const through = await page.locator(`${tid('writes-row')}[data-policy="WriteThrough"] ${tid('writes-lost')}`).textContent();
    assert.equal((through ?? '').trim(), '0');
    await page.locator(tid('consistency')).scrollIntoViewIfNeeded();
    await screenshot(page, 'caching-bank-balance');
    // The CDN: users in the US and Austria wait far less with their edge.
    await page.locator(tid('preset-cdn-india-us-austria')).click();
    await page.locator(tid('cdn-table')).waitFor({ timeout: 60_000 });
    const ms = async (region, what) => Number(((await page.locator(`${tid('cdn-row')}[data-region="${region}"] ${tid(what)}`).textContent()) ?? '').replace(/[^\d.]/g, ''));
    for (const region of ['us-east', 'austria']) {
      const [without, withCdn] = [await ms(region, 'cdn-without'), await ms(region, 'cdn-with')];
      // Hits cost the edge's 15 ms, misses the edge and the origin: the mean falls by about the hit ratio.
      assert.ok(withCdn < without * 0.75, `${region}: ${withCdn} ms with the CDN, ${without} ms without`);
    }
    await page.locator(tid('cdn')).scrollIntoViewIfNeeded();
    await screenshot(page, 'caching-cdn-india-us-austria');
    assertNoPageErrors(page);
  });

  it("each part's own setup: a shorter leg, balances read from the database, an edge in Japan; a bad field applies nothing", async () => {
    const page = await h.newPage();
    await openCaching(h, page);
    const apply = async (part, fields) => {
      const form = page.locator(tid(`${part}-setup`));
      if (!(await form.evaluate((e) => e.open))) await form.locator('summary').click();
      for (const [id, value] of Object.entries(fields)) {
        const field = page.locator(tid(id));
        const kind = await field.evaluate((e) => (e.tagName === 'SELECT' ? 'select' : e.type));
        if (kind === 'select') await field.selectOption(value);
        else if (kind === 'checkbox') await field.setChecked(value);
        else await field.fill(value);
      }
      await page.locator(tid(`${part}-apply`)).click();
    };
    // Placement: a client 50 ms from its server makes the notes' round trip 50 + 10 + 10 + 50 = 120 ms.
    await apply('placement', { 'placement-client-server-ms': '50' });
    await waitForText(page, tid('placement-arithmetic'), (t) => t.includes('50 + 10 + 10 + 50 = 120 ms'));
    // Consistency: the bank preset serves stale balances from the cache; read from the database, none is.
    await page.locator(tid('preset-bank-balance')).click();
    await waitForText(page, tid('bank-result'), (t) => /\d[\d,]* of [\d,]+ balance reads were stale/.test(t) && !t.startsWith('0 of'), { timeout: 60_000 });
    await apply('consistency', { 'consistency-balance-reads': 'database' });
    await waitForText(page, tid('bank-result'), (t) => /: 0 of [\d,]+ balance reads were stale/.test(t), { timeout: 60_000 });
    assert.equal(await page.locator(`${tid('bank-result')}.bad`).count(), 0, 'no stale balance is left to flag');
    // The CDN: users in Japan join, and their edge cuts their wait for a file from India.
    await apply('cdn', { 'cdn-region-japan': true, 'cdn-rate-japan': '70' });
    const japan = `${tid('cdn-row')}[data-region="japan"]`;
    await page.locator(japan).waitFor({ timeout: 60_000 });
    const ms = async (what) => Number(((await page.locator(`${japan} ${tid(what)}`).textContent()) ?? '').replace(/[^\d.]/g, ''));
    assert.ok((await ms('cdn-with')) < (await ms('cdn-without')), 'the edge in Japan lowers its latency');
    // A bad field: marked, explained, and the setup stays as it was.
    const before = page.url();
    await apply('consistency', { 'consistency-ttl': 'soon' });
    await waitForText(page, tid('consistency-setup-error'), (t) => t.includes('Nothing was applied') && t.includes('seconds'));
    assert.equal(await page.locator(`${tid('consistency-ttl')}[aria-invalid="true"]`).count(), 1);
    assert.equal(page.url(), before, 'nothing was applied');
    assertNoPageErrors(page);
  });

  it('screenshots: a preset at 375 px without overflow, and the dark theme', async () => {
    const mobile = await h.newPage(VIEWPORTS.mobile);
    await openCaching(h, mobile);
    await mobile.locator(tid('preset-lru-loop')).click();
    await mobile.waitForTimeout(4_500);
    await screenshot(mobile, 'caching-lru-loop-375');
    const overflow = await mobile.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `horizontal overflow of ${overflow}px at 375 px`);
    assertNoPageErrors(mobile);
    const dark = await h.newPage(VIEWPORTS.desktop, { colorScheme: 'dark' });
    await openCaching(h, dark);
    await dark.locator(tid('preset-cold-restart')).click();
    await dark.locator(tid('caching-to-end')).click();
    await wholeRun(dark);
    await dark.waitForTimeout(800);
    await screenshot(dark, 'caching-cold-restart-dark');
    assertNoPageErrors(dark);
  });
});
