// Times, in the browser, the exact movement recompute for 1,000,000 keys when one server joins a ring
// of 1000 servers x 100 points. Printed, never asserted: machines are shared and noisy.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness } from './harness.mjs';

describe('ring join in the browser (benchmark, printed)', () => {
  let h;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h?.close();
  });

  it('recomputes 1,000,000 keys after a join of 1000 x 100', async () => {
    const page = await h.newPage();
    await h.openApp(page);
    const result = await page.evaluate(async () => {
      const { JoinBench } = window.wasmBindings;
      const bench = new JoinBench(1_000_000, 1000, 100);
      const time = (f) => {
        const t0 = performance.now();
        const v = f();
        return [performance.now() - t0, v];
      };
      const [sortMs] = time(() => bench.sort_keys());
      // Warm up so the timed calls run optimized code, then take the median of several.
      for (let i = 0; i < 5; i++) bench.incremental();
      const runs = [];
      let moved = 0;
      for (let i = 0; i < 9; i++) {
        const [ms, v] = time(() => bench.incremental());
        runs.push(ms);
        moved = v;
      }
      runs.sort((a, b) => a - b);
      // The full recompute in chunks of 50,000 keys (many short calls).
      for (let s = 0; s < 200_000; s += 50_000) bench.full_chunk(s, s + 50_000);
      const [fullMs, fullMoved] = time(() => {
        let m = 0;
        for (let s = 0; s < 1_000_000; s += 50_000) m += bench.full_chunk(s, s + 50_000);
        return m;
      });
      bench.free();
      return { sortMs, incrementalMs: runs[4], moved, fullMs, fullMoved };
    });
    assert.equal(result.moved, result.fullMoved, 'incremental and full recompute agree');
    console.log(
      `# ring join, 1,000,000 keys, 1000 x 100 points, in Chromium: incremental ${result.incrementalMs.toFixed(3)} ms ` +
        `(after a one-time key sort of ${result.sortMs.toFixed(1)} ms), full recompute ${result.fullMs.toFixed(1)} ms; ` +
        `${result.moved} keys moved`,
    );
  });
});
