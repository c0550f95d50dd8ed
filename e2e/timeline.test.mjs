// End-to-end tests of the timeline every timed lab shares: scrub to a moment, step back a second and an
// event, share the moment in the link (t=) and open it there, branch from the past; and the time a
// jump backwards takes in the largest runs (printed, never asserted: the machines are shared).

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, waitForText, pollUntil, settle, screenshot, assertNoPageErrors } from './harness.mjs';

const tid = (id) => `[data-testid="${id}"]`;
const clockOf = (text) => Number(/t = ([\d.]+) s/.exec(text ?? '')?.[1]);

async function clock(page, prefix = '') {
  return clockOf(await page.locator(tid(`${prefix}clock`)).textContent());
}

/// Sets the scrubber to `seconds` (as a person dragging it and letting go).
async function scrub(page, seconds, prefix = '') {
  await page.locator(tid(`${prefix}scrubber`)).fill(String(Math.round(seconds * 1000)));
}

describe('timeline', () => {
  let h;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h?.close();
  });

  it('scrubs, steps back, and shares the moment in a link that opens there, paused', async () => {
    const page = await h.newPage();
    await h.openApp(page);
    await page.locator(tid('nav-queue')).click();
    await page.locator(tid('preset-shop-dies')).click();
    await settle(page);
    await page.locator(tid('pause')).click();
    // Let the timeline compute past the kill at 60 s, then go to 62.5 s.
    await page.locator(tid('to-end')).click();
    await waitForText(page, tid('clock'), (t) => t.includes('run over'), { timeout: 60_000 });
    await scrub(page, 62.5);
    await waitForText(page, tid('clock'), (t) => clockOf(t) === 62.5);
    // At 62.5 s PS3 was killed at 60 s and the notifier has not checked yet (H = 15 s): it still looks up.
    await page.locator(tid('back')).click();
    await waitForText(page, tid('clock'), (t) => clockOf(t) === 61.5);
    const before = await clock(page);
    await page.locator(tid('back-event')).click();
    await pollUntil(() => clock(page), (t) => t <= before, { message: 'one event back moves the clock back' });
    await page.locator(tid('next-event')).click();
    await scrub(page, 62.5);
    await waitForText(page, tid('clock'), (t) => clockOf(t) === 62.5);

    await page.locator(tid('share')).click();
    const link = await page.locator(tid('share-link')).inputValue();
    assert.match(link, /&t=62\.5$/, link);
    const other = await h.newPage();
    await other.goto(link);
    await other.locator(tid('lab-queue')).waitFor({ timeout: 30_000 });
    await waitForText(other, tid('clock'), (t) => clockOf(t) === 62.5);
    await other.locator(tid('play')).waitFor(); // paused at the moment
    await screenshot(other, 'timeline-opened-at-moment');
    assertNoPageErrors(page);
    assertNoPageErrors(other);
  });

  it('a live action in the past asks, branches, and Undo brings the later actions back', async () => {
    const page = await h.newPage();
    await h.openApp(page);
    await page.locator(tid('nav-queue')).click();
    await page.locator(tid('preset-shop-dies')).click();
    await settle(page);
    await page.locator(tid('pause')).click();
    await scrub(page, 0);
    const recorded = (await page.locator(tid('queue-actions')).textContent()) ?? '';
    assert.ok(recorded.includes('kill PS3'), recorded);
    await page.locator(`${tid('shop-row')}[data-name="PS1"] ${tid('kill-shop')}`).click();
    await page.locator(tid('branch-confirm')).waitFor();
    await screenshot(page, 'timeline-branch-question');
    await page.locator(tid('branch-yes')).click();
    await waitForText(page, tid('queue-actions'), (t) => t.includes('kill PS1') && !t.includes('kill PS3'));
    await page.locator(tid('queue-undo')).click();
    await waitForText(page, tid('queue-actions'), (t) => t.includes('kill PS3') && !t.includes('kill PS1'));
    assertNoPageErrors(page);
  });

  for (const [lab, preset, prefix] of [
    ['queue', 'friday-night-100k', ''],
    ['stream', 'two-groups', 'stream-'],
  ]) {
    it(`jumps back to the middle of ${preset} (time printed)`, { timeout: 180_000 }, async () => {
      const page = await h.newPage();
      await h.openApp(page);
      await page.locator(tid(`nav-${lab}`)).click();
      await page.locator(tid(`preset-${preset}`)).click();
      await settle(page);
      await page.locator(tid(`${prefix}pause`)).click();
      await page.locator(tid(`${prefix}to-end`)).click();
      await waitForText(page, tid(`${prefix}clock`), (t) => t.includes('run over'), { timeout: 150_000 });
      const end = await clock(page, prefix);
      const middle = Math.round(end / 2);
      // Time from the change of the scrubber to the frame at that moment, measured inside the page.
      const ms = await page.evaluate(
        ([sel, clockSel, target]) =>
          new Promise((resolve) => {
            const input = document.querySelector(sel);
            const start = performance.now();
            const done = () => {
              const m = /t = ([\d.]+) s/.exec(document.querySelector(clockSel)?.textContent ?? '');
              if (m && Number(m[1]) === target) resolve(performance.now() - start);
              else requestAnimationFrame(done);
            };
            input.value = String(target * 1000);
            input.dispatchEvent(new Event('change', { bubbles: true }));
            requestAnimationFrame(done);
          }),
        [tid(`${prefix}scrubber`), tid(`${prefix}clock`), middle],
      );
      console.log(`# jump back to the middle of ${preset} (t = ${middle} s of ${end} s) in Chromium: ${ms.toFixed(1)} ms`);
      assert.equal(await clock(page, prefix), middle);
      assertNoPageErrors(page);
    });
  }
});
