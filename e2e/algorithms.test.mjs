// End-to-end tests of the algorithm comparison: the table of all seven, the split view, and one preset
// per algorithm with the numbers the native tests pin.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, waitForText, pollUntil, settle, assertNoPageErrors, screenshotBoth } from './harness.mjs';

const tid = (id) => `[data-testid="${id}"]`;
const ALGOS = ['modulo', 'ring', 'ketama', 'rendezvous', 'jump', 'maglev', 'bounded'];

/** Waits until all seven algorithms are computed (they run one per step, with a progress bar). */
async function waitForAlgos(page) {
  await pollUntil(
    async () => (await page.locator(tid('algo-row')).count()) === ALGOS.length && (await page.locator(tid('algos-progress')).count()) === 0,
    (done) => done,
    { timeout: 30_000, message: 'the seven algorithms were not all computed' },
  );
}

async function algoCell(page, algo, cell) {
  return page.locator(`${tid('algo-row')}[data-algo="${algo}"] ${tid(cell)}`).textContent();
}

describe('algorithms side by side (end to end)', () => {
  let h;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h?.close();
  });

  it('lists all seven algorithms and switches the split view', async () => {
    const page = await h.newPage();
    await h.openApp(page);
    await page.locator(tid('algos-table')).waitFor();
    await waitForAlgos(page);
    const rows = await page.locator(tid('algo-row')).evaluateAll((rs) => rs.map((r) => r.getAttribute('data-algo')));
    assert.deepEqual(rows, ALGOS);
    await page.locator(tid('split-left-select')).selectOption('jump');
    await page.locator(tid('split-right-select')).selectOption('maglev');
    await settle(page);
    await waitForAlgos(page);
    const left = await page.locator(tid('split-left-moved')).textContent();
    assert.equal(left.trim(), (await algoCell(page, 'jump', 'algo-moved')).trim());
    const right = await page.locator(tid('split-right-moved')).textContent();
    assert.equal(right.trim(), (await algoCell(page, 'maglev', 'algo-moved')).trim());
    // The choice is part of the session: it survives a share link.
    await page.locator(tid('share')).click();
    const link = await page.locator(tid('share-link')).inputValue();
    const other = await h.newPage();
    await other.goto(link);
    await other.locator(tid('lab-hashing')).waitFor();
    await pollUntil(() => other.locator(tid('split-left-select')).inputValue(), (v) => v === 'jump');
    assert.equal(await other.locator(tid('split-right-select')).inputValue(), 'maglev');
    assertNoPageErrors(page);
  });

  const PRESETS = {
    'jump-add-bucket': async (page) => {
      // 1/11 of 20,000 keys, give or take sampling noise (the native test pins it within 1 point).
      const text = await waitForText(page, tid('split-left-moved'), /%/);
      const moved = parseFloat(text);
      assert.ok(Math.abs(moved - 100 / 11) < 1, `jump moved ${text}`);
    },
    'maglev-remove': async (page) => {
      const ring = await algoCell(page, 'ring', 'algo-moved');
      const row = page.locator(`${tid('algo-row')}[data-algo="ring"] td`);
      assert.equal(ring.trim(), (await row.nth(3).textContent()).trim(), 'ring moves exactly the least possible');
    },
    'rendezvous-remove': async (page) => {
      const moved = await algoCell(page, 'rendezvous', 'algo-moved');
      const row = page.locator(`${tid('algo-row')}[data-algo="rendezvous"] td`);
      assert.equal(moved.trim(), (await row.nth(3).textContent()).trim());
    },
    'ketama-weighted': async (page) => {
      await waitForText(page, `${tid('algo-row')}[data-algo="jump"]`, /weight/i);
    },
    'bounded-loads': async (page) => {
      const row = page.locator(`${tid('algo-row')}[data-algo="bounded"] td`);
      const maxOverMean = parseFloat(await row.nth(1).textContent());
      assert.ok(maxOverMean <= 1.25 + 0.001, `bounded max/mean ${maxOverMean}`);
    },
  };

  for (const [name, check] of Object.entries(PRESETS)) {
    it(`preset ${name}`, async () => {
      const page = await h.newPage();
      await h.openApp(page);
      await page.locator(tid(`preset-${name}`)).click();
      await settle(page);
      await page.locator(tid('algos-table')).waitFor();
      await waitForAlgos(page);
      await check(page);
      await page.locator(tid('split-left')).scrollIntoViewIfNeeded();
      await screenshotBoth(page, `preset-${name}`);
      assertNoPageErrors(page);
    });
  }
});
