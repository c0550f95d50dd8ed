// Accessibility, end to end: axe-core (injected into the page) on every lab at desktop and phone width
// once the lab shows its results, on the About view, on an open notice and on a form with an invalid
// field marked. Any violation of impact serious or critical fails, with its rule, targets and help, and
// so does any violation of a rule Lighthouse's accessibility score counts whatever its impact (headings
// out of order).

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { startHarness, VIEWPORTS, waitForText, settle, screenshot, assertNoPageErrors } from './harness.mjs';

const tid = (id) => `[data-testid="${id}"]`;
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const BLOCKING = new Set(['serious', 'critical']);
const BLOCKING_RULES = new Set(['heading-order']);

/**
 * Runs axe-core on the page (injected once per document) and returns its serious and critical
 * violations, each as { id, impact, help, helpUrl, targets }. The release build's Content-Security-Policy
 * refuses inline scripts (page.addScriptTag), so axe's source is evaluated the way DevTools evaluates,
 * which the policy does not govern: the page keeps running under its real policy.
 */
async function axeViolations(page) {
  if (!(await page.evaluate(() => typeof window.axe !== 'undefined'))) {
    await page.evaluate(AXE_SOURCE);
  }
  await settle(page);
  const violations = await page.evaluate(async () => {
    const result = await window.axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      helpUrl: v.helpUrl,
      targets: v.nodes.map((n) => `${n.target.join(' ')}${n.impact && n.impact !== v.impact ? ` (${n.impact})` : ''}`),
    }));
  });
  return violations.filter((v) => BLOCKING.has(v.impact) || BLOCKING_RULES.has(v.id));
}

/** Fails with every serious or critical violation (rule, impact, help, up to 10 targets each). */
async function assertAccessible(page, where) {
  const violations = await axeViolations(page);
  if (violations.length === 0) return;
  const lines = violations.map(
    (v) =>
      `  ${v.id} (${v.impact}): ${v.help} <${v.helpUrl}>\n` +
      v.targets.slice(0, 10).map((t) => `      ${t}`).join('\n') +
      (v.targets.length > 10 ? `\n      ... and ${v.targets.length - 10} more` : ''),
  );
  assert.fail(`${where}: ${violations.length} serious or critical axe violation(s):\n${lines.join('\n')}`);
}

// How each lab shows it has rendered its results: the hashing lab its shares and the algorithm
// comparison; a timed lab its whole run, shown at its end.
const LABS = [
  {
    key: 'hashing',
    ready: async (page) => {
      await waitForText(page, tid('ring-share'), /\d%/, { timeout: 30_000 });
      await page.waitForTimeout(1_000);
    },
  },
  ...[
    ['queue', ''],
    ['stream', 'stream-'],
    ['pubsub', ''],
    ['sharding', 'sharding-'],
    ['caching', 'caching-'],
    ['events', 'events-'],
    ['scaling', 'scaling-'],
  ].map(([key, prefix]) => ({
    key,
    ready: async (page) => {
      // A short run may reach its end (and disable the button) before or while it is clicked.
      const over = async () => ((await page.locator(tid(`${prefix}clock`)).textContent()) ?? '').includes('run over');
      if (!(await over())) {
        await page.locator(tid(`${prefix}to-end`)).click().catch(async (err) => {
          if (!(await over())) throw err;
        });
      }
      await waitForText(page, tid(`${prefix}clock`), (t) => t.includes('run over'), { timeout: 60_000 });
      await page.waitForTimeout(500);
    },
  })),
  {
    key: 'resilience',
    ready: async (page) => {
      await waitForText(page, tid('avail-simulated'), /%/, { timeout: 60_000 });
      await page.waitForTimeout(1_000);
    },
  },
];

const WIDTHS = [
  ['desktop', VIEWPORTS.desktop],
  ['phone', VIEWPORTS.mobile],
];
// Each lab in the light theme at both widths, and in the dark theme (its own colours) at desktop width.
const LOOKS = [
  ...WIDTHS.map(([width, viewport]) => ({ name: `${width} width`, file: `${viewport.width}`, viewport, options: {} })),
  { name: 'desktop width, dark theme', file: `${VIEWPORTS.desktop.width}-dark`, viewport: VIEWPORTS.desktop, options: { colorScheme: 'dark' } },
];

async function openLab(h, page, key) {
  await h.openApp(page);
  await page.locator(tid(`nav-${key}`)).click();
  await page.locator(tid(`lab-${key}`)).waitFor();
}

describe('accessibility: no serious or critical axe-core violation (end to end)', () => {
  let h;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h?.close();
  });

  for (const lab of LABS) {
    for (const look of LOOKS) {
      it(`the ${lab.key} lab at ${look.name}, its results shown`, async () => {
        const page = await h.newPage(look.viewport, look.options);
        await openLab(h, page, lab.key);
        await lab.ready(page);
        await assertAccessible(page, `${lab.key} at ${look.name}`);
        await screenshot(page, `a11y-${lab.key}-${look.file}`);
        assertNoPageErrors(page);
      });
    }
  }

  for (const [width, viewport] of WIDTHS) {
    it(`the About view at ${width} width`, async () => {
      const page = await h.newPage(viewport);
      await h.openApp(page);
      await page.locator(tid('nav-about')).click();
      await waitForText(page, tid('about'), /Share/);
      await assertAccessible(page, `about at ${width} width`);
      assertNoPageErrors(page);
    });
  }

  it('a form with an invalid field marked, and an error notice open', async () => {
    const page = await h.newPage();
    await openLab(h, page, 'stream');
    // A setup field marked invalid (aria-invalid, explained by its .field-error through aria-describedby).
    await page.locator(tid('cfg-partitions')).fill('0');
    await page.locator(tid('stream-apply')).click();
    await waitForText(page, `${tid('cfg-partitions')}[aria-invalid="true"] + .field-error`, /between 1 and 64/);
    const described = await page.locator(tid('cfg-partitions')).getAttribute('aria-describedby');
    assert.ok(described, 'the invalid field points to its explanation');
    assert.match(await page.locator(`#${described}`).textContent(), /between 1 and 64/);
    await assertAccessible(page, 'stream form with an invalid field');
    // A refused position in the hashing lab opens an error notice.
    await page.locator(tid('nav-hashing')).click();
    await page.locator(tid('lab-hashing')).waitFor();
    await page.locator(tid('add-name')).fill('far');
    await page.locator(tid('add-position')).fill('99999999999999');
    await page.locator(tid('add-server')).click();
    await waitForText(page, tid('notice'), (t) => t.toLowerCase().includes('outside'));
    await assertAccessible(page, 'hashing lab with an error notice open');
    // The same at phone width.
    await page.setViewportSize(VIEWPORTS.mobile);
    await assertAccessible(page, 'hashing lab with an error notice open, phone width');
    assertNoPageErrors(page);
  });
});
