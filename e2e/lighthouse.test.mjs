// Lighthouse (mobile, its default throttling) on the built site served compressed, as
// `node scripts/lighthouse.mjs` runs it: accessibility and best practices must score 100; performance
// and its metrics are printed, never asserted (the machine is shared; the README keeps the measured
// scores). One run takes about 20 s.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { DIST_DIR } from './harness.mjs';
import { serveCompressed, runLighthouse } from '../scripts/lighthouse.mjs';

describe('Lighthouse (end to end)', () => {
  let server;
  before(async () => {
    server = await serveCompressed(DIST_DIR);
  });
  after(async () => {
    await server?.close();
  });

  it('scores 100 in accessibility and best practices', { timeout: 180_000 }, async () => {
    const { scores, metrics, failing } = await runLighthouse(`${server.url}/`);
    const ms = (v) => `${Math.round(v)} ms`;
    console.log(
      `# Lighthouse mobile: performance ${scores.performance}, accessibility ${scores.accessibility}, ` +
        `best practices ${scores['best-practices']}; LCP ${ms(metrics.LCP)}, TBT ${ms(metrics.TBT)}, TTI ${ms(metrics.TTI)}`,
    );
    const failed = failing
      .filter((f) => f.category !== 'performance')
      .map((f) => `${f.category}: ${f.id} (${f.title}) ${f.display}`);
    assert.equal(scores.accessibility, 100, `accessibility audits below 100:\n  ${failed.join('\n  ')}`);
    assert.equal(scores['best-practices'], 100, `best-practices audits below 100:\n  ${failed.join('\n  ')}`);
  });
});
