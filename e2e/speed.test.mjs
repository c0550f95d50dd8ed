// The browser against the machine: the largest run of each timed lab computed in the page (from the
// click to its outcome on screen, measured inside the page) next to the same run natively (its share
// link given to the release command line, timed here). Printed, never asserted: the machines are shared.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { startHarness, REPO_ROOT, settle, assertNoPageErrors } from './harness.mjs';

const tid = (id) => `[data-testid="${id}"]`;
const CLI = path.join(process.env.CARGO_TARGET_DIR ?? path.join(REPO_ROOT, 'target'), 'release', 'sysplay');

/** Milliseconds from clicking `start` (in the page) until `progress` is gone and `metric` reads `want`
 * (a regular expression's source). */
async function timeInPage(page, start, progress, metric, want) {
  return page.evaluate(
    ([startSel, progressSel, metricSel, pattern]) =>
      new Promise((resolve) => {
        const re = new RegExp(pattern);
        const t0 = performance.now();
        document.querySelector(startSel).click();
        const check = () => {
          const shown = document.querySelector(metricSel)?.textContent ?? '';
          if (!document.querySelector(progressSel) && re.test(shown.trim())) resolve(performance.now() - t0);
          else setTimeout(check, 5);
        };
        setTimeout(check, 0);
      }),
    [start, progress, metric, want],
  );
}

/** The same run natively: the median of three runs of the release command line on the page's link. */
function native(link) {
  const times = [];
  for (let i = 0; i < 3; i++) {
    const t0 = process.hrtime.bigint();
    const out = spawnSync(CLI, ['run', link], { encoding: 'utf8', maxBuffer: 1 << 28 });
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    assert.equal(out.status, 0, out.stderr);
  }
  return times.sort((a, b) => a - b)[1];
}

/** The session's share link, without the moment the player shows (the whole run, as the page computed). */
async function shareLink(page) {
  await page.locator(tid('share')).click();
  return (await page.locator(tid('share-link')).inputValue()).replace(/&t=[^&]*$/, '');
}

describe('browser against native', () => {
  let h;
  before(() => {
    const build = spawnSync('cargo', ['build', '--release', '--bin', 'sysplay'], { cwd: REPO_ROOT, stdio: 'inherit' });
    assert.equal(build.status, 0, 'the release command line builds');
    return startHarness().then((harness) => {
      h = harness;
    });
  });
  after(async () => {
    await h?.close();
  });

  const report = (what, browserMs, nativeMs) =>
    console.log(
      `# ${what}: browser ${browserMs.toFixed(0)} ms, native ${nativeMs.toFixed(0)} ms (process start and JSON included), ${(browserMs / nativeMs).toFixed(1)}x`,
    );

  it('the 100,000-order shop (friday-night-100k)', { timeout: 180_000 }, async () => {
    const page = await h.newPage();
    await h.openApp(page);
    await page.locator(tid('nav-queue')).click();
    await page.locator(tid('lab-queue')).waitFor();
    // The recorded run's outcome (the page then computes the two other guarantees, which this leaves out).
    const ms = await timeInPage(page, tid('preset-friday-night-100k'), tid('no-such-element'), tid('metric-completed'), '^100,000 / 100,000$');
    assert.equal(((await page.locator(tid('metric-completed')).textContent()) ?? '').trim(), '100,000 / 100,000');
    report('friday-night-100k, the recorded run', ms, native(await shareLink(page)));
    assertNoPageErrors(page);
  });

  it('a 100,000-record partitioned log', { timeout: 180_000 }, async () => {
    const page = await h.newPage();
    await h.openApp(page);
    await page.locator(tid('nav-stream')).click();
    await page.locator(tid('lab-stream')).waitFor();
    const pause = page.locator(tid('stream-pause'));
    if (await pause.count()) await pause.click();
    await page.locator(tid('stream-clear')).click();
    await settle(page);
    for (const [id, v] of [['cfg-partitions', '64'], ['cfg-records', '100000'], ['cfg-rate', '60000'], ['cfg-handle', '10'], ['cfg-consumers', '32']]) {
      await page.locator(tid(id)).fill(v);
    }
    const ms = await timeInPage(page, tid('stream-apply'), tid('stream-progress'), tid('metric-consumed'), '^100,000 / 100,000$');
    report('100,000-record partitioned log', ms, native(await shareLink(page)));
    assertNoPageErrors(page);
  });

  it('the largest publish/subscribe preset (fanout-email-down)', { timeout: 120_000 }, async () => {
    const page = await h.newPage();
    await h.openApp(page);
    await page.locator(tid('nav-pubsub')).click();
    await page.locator(tid('lab-pubsub')).waitFor();
    await page.locator(tid('preset-topic-routing')).click();
    await settle(page);
    const want = JSON.parse(spawnSync(CLI, ['run', '--preset', 'fanout-email-down'], { encoding: 'utf8' }).stdout).published;
    const ms = await timeInPage(page, tid('preset-fanout-email-down'), tid('pubsub-progress'), tid('metric-published'), `^${want}$`);
    report('fanout-email-down', ms, native(await shareLink(page)));
    assertNoPageErrors(page);
  });
});
