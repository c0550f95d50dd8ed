// End-to-end tests of what users type: every lab's setup form keeps the user's edits when one field is
// invalid (the invalid field is marked and explained, nothing is applied), typing while a run plays is
// never overwritten, and a link pasted into an open tab offers the way back to the session it replaced.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, startHarness, waitForText, screenshot, assertNoPageErrors, pollUntil } from './harness.mjs';

const tid = (id) => `[data-testid="${id}"]`;

async function openLab(h, page, lab) {
  await h.openApp(page);
  await page.locator(tid(`nav-${lab}`)).click();
  await page.locator(tid(`lab-${lab}`)).waitFor();
}

/** Leaves the lab and comes back: the form is drawn again from the session, showing what was applied. */
async function revisit(page, lab) {
  await page.locator(tid('nav-about')).click();
  await page.locator(tid(`lab-${lab}`)).waitFor({ state: 'detached' });
  await page.locator(tid(`nav-${lab}`)).click();
  await page.locator(tid(`lab-${lab}`)).waitFor();
}

const value = (page, id) => page.locator(tid(id)).first().inputValue();

/** A field's value once the page has written its session's value into it (an effect after the render,
 * later still on a busy machine): empty only while it has not. */
async function settled(page, id) {
  for (let i = 0; i < 100; i++) {
    const v = await value(page, id);
    if (v !== '') return v;
    await page.waitForTimeout(100);
  }
  return value(page, id);
}

// Per lab: valid edits, one or two invalid fields with the words of their message, the fix, the apply button.
const FORMS = [
  {
    lab: 'hashing',
    valid: { 'key-count': '2000', seed: '7' },
    invalid: { 'ring-size': ['0', 'at least 1'] },
    fix: { 'ring-size': '5000' },
    apply: 'apply-settings',
  },
  {
    lab: 'queue',
    valid: { 'cfg-orders': '300', 'cfg-rate': '90' },
    invalid: { 'cfg-shops': ['-5', 'Shops must be a whole number'], 'cfg-attempts': ['3.5', 'Max attempts must be a whole number'] },
    fix: { 'cfg-shops': '4', 'cfg-attempts': '3' },
    apply: 'cfg-apply',
  },
  {
    lab: 'stream',
    valid: { 'cfg-records': '500', 'cfg-rate': '300' },
    invalid: {
      'cfg-partitions': ['0', 'Partitions must be between 1 and 64 (got 0)'],
      'cfg-session': ['1000000000000000', 'The session timeout (s) must be between 0.001 and 3,600'],
    },
    fix: { 'cfg-partitions': '6', 'cfg-session': '12' },
    apply: 'stream-apply',
  },
  {
    lab: 'pubsub',
    valid: { 'setup-events': '50' },
    invalid: { 'setup-rate': ['0', 'Events per minute must be between 1 and 6,000'] },
    fix: { 'setup-rate': '120' },
    apply: 'setup-apply',
  },
  {
    lab: 'sharding',
    valid: { 'cfg-users': '20000', 'cfg-replicas': '3' },
    invalid: { 'cfg-shards': ['99', 'Shards must be between 1 and 16 (got 99)'] },
    fix: { 'cfg-shards': '4' },
    apply: 'sharding-apply',
  },
  {
    lab: 'caching',
    valid: { 'cache-requests': '40' },
    invalid: { 'cache-capacity': ['0', 'The cache size must be between 1 and 100,000 (got 0)'] },
    fix: { 'cache-capacity': '4' },
    apply: 'cache-apply',
  },
  {
    lab: 'events',
    valid: { 'ev-requests': '300' },
    invalid: { 'ev-rate': ['0', 'The rate must be between 1 and 100,000 (got 0)'] },
    fix: { 'ev-rate': '20' },
    apply: 'requests-apply',
  },
];

describe('forms keep what the user typed (end to end)', () => {
  let h;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h?.close();
  });

  for (const f of FORMS) {
    it(`the ${f.lab} setup form marks every invalid field, keeps the valid edits, and applies nothing`, async () => {
      const page = await h.newPage();
      await openLab(h, page, f.lab);
      const before = {};
      for (const id of [...Object.keys(f.valid), ...Object.keys(f.invalid)]) before[id] = await value(page, id);
      for (const [id, v] of Object.entries(f.valid)) await page.locator(tid(id)).first().fill(v);
      for (const [id, [v]] of Object.entries(f.invalid)) await page.locator(tid(id)).first().fill(v);
      await page.locator(tid(f.apply)).click();
      // Each invalid field is marked and says why, in the field's own unit; the others are not marked.
      for (const [id, [v, words]] of Object.entries(f.invalid)) {
        const input = page.locator(tid(id)).first();
        await waitForText(page, `${tid(id)}[aria-invalid="true"] + .field-error`, (t) => t.includes(words));
        assert.equal(await input.inputValue(), v, `${id} keeps what was typed`);
      }
      for (const [id, v] of Object.entries(f.valid)) {
        assert.equal(await value(page, id), v, `${id}: the valid edit is kept`);
        assert.equal(await page.locator(tid(id)).first().getAttribute('aria-invalid'), null);
      }
      // Several re-renders later (the run plays on), the fields still hold what the user typed.
      await page.waitForTimeout(600);
      for (const [id, v] of Object.entries(f.valid)) assert.equal(await value(page, id), v, `${id} after re-renders`);
      await screenshot(page, `form-invalid-${f.lab}`);
      // Nothing was applied, not even the valid fields.
      await revisit(page, f.lab);
      for (const [id, v] of Object.entries(before)) assert.equal(await settled(page, id), v, `${id} was not applied`);
      // Corrected, the whole form applies.
      for (const [id, v] of Object.entries(f.valid)) await page.locator(tid(id)).first().fill(v);
      for (const [id, v] of Object.entries(f.fix)) await page.locator(tid(id)).first().fill(v);
      await page.locator(tid(f.apply)).click();
      await page.waitForTimeout(300);
      assert.equal(await page.locator('[aria-invalid="true"]').count(), 0);
      await revisit(page, f.lab);
      for (const [id, v] of Object.entries({ ...f.valid, ...f.fix })) assert.equal(await value(page, id), v, `${id} applied`);
      assertNoPageErrors(page);
    });
  }

  it('typing while a run plays is never overwritten (the publish form, the query box, a setup field)', async () => {
    const page = await h.newPage();
    await openLab(h, page, 'pubsub');
    await page.locator(tid('pause')).waitFor();
    await page.locator(tid('publish-topic')).fill('payment_failed');
    await page.locator(tid('publish-count')).fill('7');
    await page.locator(tid('setup-events')).fill('77');
    await page.waitForTimeout(1_500);
    assert.equal(await value(page, 'publish-topic'), 'payment_failed');
    assert.equal(await value(page, 'publish-count'), '7');
    assert.equal(await value(page, 'setup-events'), '77');
    await page.locator(tid('nav-sharding')).click();
    await page.locator(tid('lab-sharding')).waitFor();
    await page.locator(tid('sharding-pause')).waitFor();
    await page.locator(tid('query-text')).fill('SELECT name FROM users WHERE age = 44');
    await page.locator(tid('cfg-users')).fill('12345');
    await page.waitForTimeout(1_500);
    assert.equal(await value(page, 'query-text'), 'SELECT name FROM users WHERE age = 44');
    assert.equal(await value(page, 'cfg-users'), '12345');
    assertNoPageErrors(page);
  });

  it('a link pasted into an open tab offers the way back to the session it replaced', async () => {
    const page = await h.newPage();
    await h.openApp(page);
    const servers = () => page.locator(tid('server-row')).count();
    // The rows show once the session is replayed (in slices): count them then.
    await page.locator(tid('server-row')).first().waitFor();
    const mine = (await servers()) + 1;
    await page.locator(tid('add-name')).fill('mine');
    await page.locator(tid('add-server')).click();
    await page.locator(`${tid('server-row')}[data-name="mine"]`).waitFor();
    // A hashing link of another session, pasted into the address bar.
    const golden = fs.readFileSync(path.join(REPO_ROOT, 'tests/golden/links.txt'), 'utf8');
    const link = golden.split('\n').find((l) => l.startsWith('add-fifth-server\t')).split('\t')[1];
    const fragment = link.slice(link.indexOf('#'));
    await page.evaluate((f) => { window.location.hash = f; }, fragment);
    await waitForText(page, tid('notice'), (t) => t.includes('Opened a shared scenario'));
    await page.locator(`${tid('server-row')}[data-name="mine"]`).waitFor({ state: 'detached' });
    await page.locator(tid('restore')).click();
    await waitForText(page, tid('notice'), (t) => t.includes('Restored your previous session'));
    await page.locator(`${tid('server-row')}[data-name="mine"]`).waitFor();
    assert.equal(await servers(), mine);
    // The same link percent-encoded (as chat apps write it) opens too.
    await page.evaluate((f) => { window.location.hash = f.replace('s=', 's%3D'); }, fragment);
    await waitForText(page, tid('notice'), (t) => t.includes('Opened a shared scenario'));
    assertNoPageErrors(page);
  });

  it('a name with a right-to-left override reads as typed, and removing with the keyboard keeps the focus', async () => {
    const page = await h.newPage();
    await h.openApp(page);
    await page.locator(tid('add-name')).fill('\u202eevil');
    await page.locator(tid('add-server')).click();
    const row = page.locator(`${tid('server-row')}[data-name="\u202eevil"]`);
    await row.waitFor();
    assert.equal((await row.locator('.server-name').textContent()).trim(), '<U+202E>evil');
    // A position outside the ring is refused, and the form keeps the name and the position to correct.
    await page.locator(tid('add-name')).fill('far');
    await page.locator(tid('add-position')).fill('99999999999999');
    await page.locator(tid('add-server')).click();
    await waitForText(page, tid('notice'), (t) => t.toLowerCase().includes('outside'));
    assert.equal(await value(page, 'add-name'), 'far');
    assert.equal(await value(page, 'add-position'), '99999999999999');
    // Remove with the keyboard: the focus moves to the next Remove button, not to the page. (First let
    // the page finish replaying the refused change: a button re-drawn while focused loses the focus.)
    await page.locator('.progress[role=status]').waitFor({ state: 'detached', timeout: 30_000 });
    const first = page.locator(tid('remove-server')).first();
    await first.focus();
    await page.keyboard.press('Enter');
    // The page re-draws the servers after the removal (later on a busy machine): wait for the focus to
    // settle rather than a fixed time.
    const focused = await pollUntil(
      () => page.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? null),
      (f) => f === 'remove-server',
      { timeout: 5_000, message: 'the focus moves to the next Remove button' },
    ).catch(() => page.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? null));
    assert.equal(focused, 'remove-server');
    assertNoPageErrors(page);
  });
});
