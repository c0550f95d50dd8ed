// End-to-end tests of the hashing lab, run against the release build in dist/:
//   node --test e2e/
// The DOM contract (data-testid names) is the one the UI promises; see the constants below.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startHarness,
  VIEWPORTS,
  waitForApp,
  waitForText,
  pollUntil,
  settle,
  assertNoPageErrors,
} from './harness.mjs';

/** CSS selector for a data-testid. */
const tid = (id) => `[data-testid="${id}"]`;

const PRESETS = ['modulo-4-to-5', 'ring-add-s3', 'ring-skew', 'ring-capacity-20', 'add-fifth-server', 'virtual-nodes'];
const MOVEMENT_METRICS = ['modulo-space-moved', 'ring-space-moved', 'modulo-keys-moved', 'ring-keys-moved'];

/** A percentage with exactly two decimals, e.g. "80.00%". */
const PERCENT_RE = /\d+\.\d{2}%/;

/** Regex matching the exact percentage `value` ("3.91%") not preceded by another digit or dot. */
function percent(value) {
  return new RegExp(`(?<![\\d.])${value.replace(/[.%]/g, (c) => `\\${c}`)}`);
}

const escapeRe = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

// --- page helpers -------------------------------------------------------------------------------

/** Clicks preset button `name` and lets the re-render happen. */
async function applyPreset(page, name) {
  await page.locator(tid(`preset-${name}`)).click();
  await settle(page);
}

/** Server rows as [{ name, share }] in page order (share = text of its ring-share cell). */
async function readRows(page) {
  return page.locator(tid('server-row')).evaluateAll((rows) =>
    rows.map((row) => ({
      name: row.getAttribute('data-name'),
      share: row.querySelector('[data-testid="ring-share"]')?.textContent.trim() ?? null,
    })),
  );
}

async function rowCount(page) {
  return page.locator(tid('server-row')).count();
}

/** Text of each movement metric (null where the element is missing). */
async function readMetrics(page) {
  return page.evaluate((ids) => {
    const out = {};
    for (const id of ids) {
      out[id] = document.querySelector(`[data-testid="${id}"]`)?.textContent.trim() ?? null;
    }
    return out;
  }, MOVEMENT_METRICS);
}

/** Waits until server row `name` exists and returns its ring-share text. */
async function waitForRow(page, name, shareCheck = () => true) {
  const rows = await pollUntil(
    () => readRows(page),
    (rs) => rs.some((r) => r.name === name && r.share !== null && shareCheck(r.share)),
    { message: `server row ${name} (with the expected ring-share) did not appear` },
  );
  return rows.find((r) => r.name === name).share;
}

/** Waits until every movement metric shows a two-decimal percentage. */
async function waitForMovementMetrics(page) {
  for (const id of MOVEMENT_METRICS) {
    await waitForText(page, tid(id), PERCENT_RE);
  }
}

/** Clicks add-server and waits for exactly one more server row. */
async function addServerAndExpectOneMoreRow(page) {
  const before = await rowCount(page);
  await page.locator(tid('add-server')).click();
  await pollUntil(() => rowCount(page), (n) => n === before + 1, {
    message: `expected ${before + 1} server rows after add-server`,
  });
}

/** The page's horizontal overflow: scroll width and the first elements sticking out on the right. */
async function horizontalOverflow(page) {
  return page.evaluate(() => {
    const limit = window.innerWidth + 1;
    const describe = (el) => {
      const id = el.getAttribute('data-testid');
      const cls = typeof el.className === 'string' && el.className ? `.${el.className.trim().split(/\s+/).join('.')}` : '';
      return `${el.tagName.toLowerCase()}${id ? `[data-testid=${id}]` : ''}${cls} right=${Math.round(el.getBoundingClientRect().right)}`;
    };
    // Is `el` clipped by a scrolling/clipping box between it and the page? Follows the containing
    // block chain: an absolutely positioned element escapes static ancestors (even overflow: auto ones).
    const clipped = (el) => {
      let position = getComputedStyle(el).position;
      for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
        if (position === 'fixed') return false;
        const cs = getComputedStyle(a);
        const containsIt = position !== 'absolute' || cs.position !== 'static' || cs.transform !== 'none';
        if (!containsIt) continue;
        if (cs.overflowX !== 'visible') return true;
        position = cs.position;
      }
      return false;
    };
    // Report the outermost unclipped elements that stick out, widest first.
    const sticksOut = (el) => el.getBoundingClientRect().right > limit && !clipped(el);
    const out = new Set([...document.querySelectorAll('body *')].filter(sticksOut));
    const offenders = [...out]
      .filter((el) => !out.has(el.parentElement))
      .sort((a, b) => b.getBoundingClientRect().right - a.getBoundingClientRect().right)
      .slice(0, 8)
      .map(describe);
    return { scrollWidth: document.scrollingElement.scrollWidth, offenders };
  });
}

async function assertNoHorizontalOverflow(page, when) {
  const { scrollWidth, offenders } = await horizontalOverflow(page);
  assert.ok(
    scrollWidth <= VIEWPORTS.mobile.width + 1,
    `horizontal overflow at 375 px ${when}: scrollWidth=${scrollWidth}; sticking out: ${offenders.join(', ') || '(none found)'}`,
  );
}

// What each preset must show. Presets without fixed numbers only need well-formed movement metrics.
const PRESET_CHECKS = {
  'modulo-4-to-5': async (page) => {
    await waitForText(page, tid('modulo-space-moved'), percent('80.00%'));
  },
  'ring-add-s3': async (page) => {
    // 10 of 256 ring positions change owner.
    await waitForText(page, tid('ring-space-moved'), percent('3.91%'));
    await waitForRow(page, 'S3');
  },
  'ring-skew': async (page) => {
    const share = await waitForRow(page, 'S4', (s) => percent('78.00%').test(s));
    assert.match(share, percent('78.00%'));
  },
  'ring-capacity-20': async (page) => {
    const text = await waitForText(page, tid('probe-result'), (t) => /\bposition 5\b/.test(t) && /\bS1\b/.test(t));
    assert.match(text, /\bposition 5\b/);
    assert.match(text, /\bS1\b/);
  },
  'add-fifth-server': async (page) => {
    await waitForMovementMetrics(page);
  },
  'virtual-nodes': async (page) => {
    // Theory for k = 100 points among N = 5 servers: sqrt(4 / 501) = 8.94%.
    await waitForText(page, tid('theory-std-dev'), percent('8.94%'));
    await waitForText(page, tid('space-std-dev'), PERCENT_RE);
  },
};

// --- tests --------------------------------------------------------------------------------------

describe('hashing lab (end to end)', { timeout: 300_000 }, () => {
  let h;

  before(async () => {
    h = await startHarness();
  });

  after(async () => {
    await h?.close();
  });

  it('(a) renders, applies each preset and shows its numbers', { timeout: 120_000 }, async () => {
    const page = await h.newPage(VIEWPORTS.desktop);
    await h.openApp(page);

    // The visualisations are of the promised kinds.
    const kinds = await page.evaluate(() =>
      Object.fromEntries(
        ['ring', 'pie-ring', 'bars'].map((id) => [id, document.querySelector(`[data-testid="${id}"]`)?.tagName.toLowerCase() ?? null]),
      ),
    );
    assert.deepEqual(kinds, { ring: 'svg', 'pie-ring': 'canvas', bars: 'canvas' });
    await h.screenshotBoth(page, 'default'); // default-1280.png, default-375.png

    for (const name of PRESETS) {
      await applyPreset(page, name);
      await PRESET_CHECKS[name](page);
      await h.screenshot(page, `preset-${name}`);
    }

    // Percentages are formatted with two decimals (the page now shows add-fifth-server).
    const metrics = await readMetrics(page);
    for (const id of MOVEMENT_METRICS) {
      assert.match(metrics[id] ?? '', PERCENT_RE, `${id} should show a percentage like 80.00%`);
    }

    // The probe also answers to the keyboard (number + Enter). On ring-capacity-20's ring (M=20, S0 at 1,
    // S1 at 10) a key hashing to 15 lands at position 15 and wraps around to S0; 25 lands at 5, on S1.
    await applyPreset(page, 'ring-capacity-20');
    const probe = page.locator(tid('probe-input'));
    for (const [hash, position, server] of [[15, 15, 'S0'], [25, 5, 'S1']]) {
      await probe.fill(String(hash));
      await probe.press('Enter');
      await waitForText(
        page,
        tid('probe-result'),
        (t) => new RegExp(`\\bposition ${position}\\b`).test(t) && new RegExp(`\\b${server}\\b`).test(t),
      );
    }

    assertNoPageErrors(page);
  });

  it('(b) has no horizontal overflow at 375 px', { timeout: 120_000 }, async () => {
    const page = await h.newPage(VIEWPORTS.mobile);
    await h.openApp(page);
    await settle(page);
    await assertNoHorizontalOverflow(page, 'in the default view');
    for (const name of PRESETS) {
      await applyPreset(page, name);
      await PRESET_CHECKS[name](page);
      await assertNoHorizontalOverflow(page, `after preset ${name}`);
    }
    assertNoPageErrors(page);
  });

  it('(c) adds and removes servers', { timeout: 60_000 }, async () => {
    const page = await h.newPage();
    await h.openApp(page);

    // With both optional inputs empty.
    await addServerAndExpectOneMoreRow(page);
    await waitForMovementMetrics(page);

    // With a name: the new row carries it, and its remove button takes it away again.
    const count = await rowCount(page);
    await page.locator(tid('add-name')).fill('X1');
    await addServerAndExpectOneMoreRow(page);
    await waitForRow(page, 'X1');
    await page.locator(`${tid('server-row')}[data-name="X1"] ${tid('remove-server')}`).click();
    await pollUntil(() => rowCount(page), (n) => n === count, { message: 'remove-server did not remove row X1' });
    assert.ok(!(await readRows(page)).some((r) => r.name === 'X1'), 'row X1 should be gone');

    assertNoPageErrors(page);
  });

  it('(d) share link restores the same state in a fresh browser context', { timeout: 90_000 }, async () => {
    const page = await h.newPage();
    await h.openApp(page);
    await applyPreset(page, 'ring-skew');
    await PRESET_CHECKS['ring-skew'](page);
    await addServerAndExpectOneMoreRow(page); // a state no preset produces
    await waitForMovementMetrics(page);
    const rows = await readRows(page);
    const metrics = await readMetrics(page);

    await page.locator(tid('share')).click();
    const linkBox = page.locator(tid('share-link'));
    await linkBox.waitFor({ state: 'visible' });
    assert.equal(await linkBox.evaluate((el) => el.readOnly), true, 'share-link should be readonly');
    const link = await pollUntil(() => linkBox.inputValue(), (v) => v.length > 0, { message: 'share-link stayed empty' });
    assert.match(link, new RegExp(`^${escapeRe(h.baseUrl)}/#s=1\\.\\S+$`), 'share link format');

    // No localStorage in the new context: everything must come from the link.
    const other = await h.newPage();
    await other.goto(link);
    await waitForApp(other);
    await pollUntil(() => readRows(other), (rs) => JSON.stringify(rs) === JSON.stringify(rows), {
      message: `server rows from the link differ from the original ${JSON.stringify(rows)}`,
    });
    await pollUntil(() => readMetrics(other), (m) => JSON.stringify(m) === JSON.stringify(metrics), {
      message: `metrics from the link differ from the original ${JSON.stringify(metrics)}`,
    });

    assertNoPageErrors(page);
    assertNoPageErrors(other);
  });

  for (const [label, suffix] of [
    ['a garbage link', '/#s=1.garbage!!'],
    ['a 20000-character link', `/#s=1.${'A'.repeat(20_000)}`],
  ]) {
    it(`(e) ${label} shows a notice and the lab keeps working`, { timeout: 60_000 }, async () => {
      const page = await h.newPage();
      await h.openApp(page, suffix);
      const notice = page.locator(tid('notice')).first();
      await notice.waitFor({ state: 'visible' });
      const text = await pollUntil(async () => ((await notice.textContent()) ?? '').trim(), (t) => t.length > 0, {
        message: 'the notice has no message',
      });
      assert.ok(text.length > 0);
      await page.locator(tid('lab-hashing')).waitFor({ state: 'visible' });
      await addServerAndExpectOneMoreRow(page);
      await waitForMovementMetrics(page);
      assertNoPageErrors(page);
    });
  }

  it('(f) autosave: the last state survives a reload', { timeout: 60_000 }, async () => {
    const context = await h.newContext();
    const page = await h.pageIn(context);
    await h.openApp(page);
    await settle(page);

    const storage = () => page.evaluate(() => JSON.stringify(Object.entries(localStorage).sort()));
    const initial = await storage();
    await applyPreset(page, 'ring-skew');
    await PRESET_CHECKS['ring-skew'](page);

    // Wait for the save to land (it may be debounced): changed, then unchanged for 500 ms.
    let previous = initial;
    let stableSince = 0;
    await pollUntil(
      async () => {
        const now = await storage();
        if (now !== previous) {
          previous = now;
          stableSince = Date.now();
        }
        return now;
      },
      (now) => now !== initial && Date.now() - stableSince >= 500,
      { timeout: 10_000, message: 'localStorage did not change after applying ring-skew' },
    );

    // Reload without any fragment; the same context keeps localStorage.
    await page.goto('about:blank');
    await page.goto(`${h.baseUrl}/`);
    await waitForApp(page);
    await PRESET_CHECKS['ring-skew'](page);
    assertNoPageErrors(page);
  });

  it('(g) keyboard: Tab from the body reaches Share and a preset', { timeout: 60_000 }, async () => {
    const page = await h.newPage();
    await h.openApp(page);
    await page.evaluate(() => {
      if (document.activeElement instanceof HTMLElement) document.activeElement.blur();
    });
    assert.equal(await page.evaluate(() => document.activeElement === document.body), true);

    const seen = [];
    for (let i = 0; i < 80; i++) {
      await page.keyboard.press('Tab');
      seen.push(
        await page.evaluate(() => {
          const el = document.activeElement;
          return el?.getAttribute('data-testid') ?? el?.tagName.toLowerCase() ?? null;
        }),
      );
      if (seen.includes('share') && seen.some((id) => id?.startsWith('preset-'))) break;
    }
    assert.ok(seen.includes('share'), `Tab never focused the share button; focus order: ${seen.join(' → ')}`);
    assert.ok(
      seen.some((id) => id?.startsWith('preset-')),
      `Tab never focused a preset button; focus order: ${seen.join(' → ')}`,
    );
    assertNoPageErrors(page);
  });
});
