// Benchmarks in the browser, printed, never asserted (machines are shared and noisy): the exact movement
// recompute for 1,000,000 keys when one server joins a ring of 1000 servers x 100 points; every eviction
// policy's accesses per second on the native benchmark's trace (benches/cache.rs), as ratios to LRU in the
// same run; and the caching page's miss-ratio curves of its heaviest link (1,000,000 requests at 20 sizes
// for nine policies and the optimum), computed in slices while clicks are answered.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startHarness, REPO_ROOT } from './harness.mjs';

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

describe('eviction policies in the browser (benchmark, printed)', () => {
  let h;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h?.close();
  });

  it('replays 1,000,000 Zipf(0.99) requests through every policy: accesses per second', async () => {
    const page = await h.newPage();
    await page.goto(`${h.baseUrl}/caching/`, { waitUntil: 'load' });
    await page.locator('[data-testid=lab-caching]').waitFor();
    const result = await page.evaluate(() => {
      const { CacheBench } = window.wasmBindings;
      // The native benchmark's trace (benches/cache.rs): 100,000 keys, a cache of 10,000.
      const bench = new CacheBench(100_000, 0.99, 1_000_000, 10_000);
      const out = {};
      for (const policy of [...bench.policies(), 'optimal']) {
        // A warm-up replay, so the timed ones run optimized code; then the median of three.
        let hits = bench.replay(policy);
        const runs = [];
        for (let i = 0; i < 3; i++) {
          const t0 = performance.now();
          hits = bench.replay(policy);
          runs.push(performance.now() - t0);
        }
        runs.sort((a, b) => a - b);
        out[policy] = { hits, ms: runs[1] };
      }
      bench.free();
      return out;
    });
    const perSecond = (name) => 1_000_000 / (result[name].ms / 1000);
    for (const [name, { hits }] of Object.entries(result)) {
      assert.ok(hits > 0 && hits <= result.optimal.hits, `${name}: ${hits} hits, at most Belady's ${result.optimal.hits}`);
    }
    console.log(
      '# eviction policies in Chromium, 1,000,000 Zipf(0.99) requests over 100,000 keys, cache of 10,000 ' +
        '(accesses per second; ratio to LRU in the same run):',
    );
    for (const name of Object.keys(result)) {
      console.log(
        `#   ${name.padEnd(10)} ${(perSecond(name) / 1e6).toFixed(1)} M/s (${(perSecond(name) / perSecond('lru')).toFixed(2)} x LRU), ` +
          `hit ratio ${(result[name].hits / 1e6).toFixed(4)}`,
      );
    }
  });
});

describe('miss-ratio curves in the browser (benchmark, printed)', () => {
  let h;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h?.close();
  });

  it('computes the curves of 1,000,000 requests at 20 sizes for every policy, answering clicks meanwhile', { timeout: 300_000 }, async () => {
    // The caching lab's heaviest link: 1,000,000 Zipf requests, nine policies and the optimum.
    const line = readFileSync(path.join(REPO_ROOT, 'tests/golden/heaviest.txt'), 'utf8')
      .split('\n')
      .find((l) => l.startsWith('caching\t'));
    const link = line.split('\t')[1];
    const page = await h.newPage();
    await page.goto(`${h.baseUrl}/caching/${link.slice(link.indexOf('#'))}`, { waitUntil: 'load' });
    const share = page.locator('[data-testid=share]');
    await page.locator('[data-testid=cache-mrc-progress]').waitFor({ timeout: 120_000 });
    const t0 = Date.now();
    const delays = [];
    // While the curves are computed, a click on Share every two seconds: each must be answered.
    while (!(await page.locator('[data-testid=cache-mrc-table]').count())) {
      assert.ok(Date.now() - t0 < 240_000, 'the curves are done within four minutes');
      const before = await page.evaluate(() => performance.now());
      await share.click();
      delays.push((await page.evaluate(() => performance.now())) - before);
      await page.waitForTimeout(2000);
    }
    const seconds = (Date.now() - t0) / 1000;
    const rows = await page.locator('[data-testid=cache-mrc-table] tbody tr').count();
    assert.equal(rows, 20, 'a row per cache size');
    console.log(
      `# miss-ratio curves of 1,000,000 requests, 20 sizes, 9 policies and the optimum, in Chromium: ${seconds.toFixed(1)} s ` +
        `(from its progress to its table, to within the two seconds between looks); ${delays.length} clicks meanwhile, the slowest answered in ` +
        `${Math.max(0, ...delays).toFixed(0)} ms`,
    );
    for (const d of delays) assert.ok(d < 3_000, `a click waited ${d.toFixed(0)} ms while the curves were computed`);
  });
});

describe('load balancing in the browser (benchmark, printed)', () => {
  let h;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h?.close();
  });

  it('simulates 200,000 requests per policy at 10 and 64 servers: requests per second', async () => {
    const page = await h.newPage();
    await page.goto(`${h.baseUrl}/scaling/`, { waitUntil: 'load' });
    await page.locator('[data-testid=lab-scaling]').waitFor();
    // The native benchmark's runs (benches/lb.rs): 80% load, 200,000 requests, random as the baseline.
    const policies = ['random', 'round-robin', 'least-connections', 'p2c', 'jsq', 'least-response-time', 'consistent-hash'];
    const result = await page.evaluate((policies) => {
      const { lb_run } = window.wasmBindings;
      // Warm up until the engine runs optimized code (the first runs are much slower).
      for (let i = 0; i < 3; i++) lb_run('random', 10, 200_000);
      const out = {};
      for (const servers of [10, 64]) {
        for (const policy of policies) {
          lb_run(policy, servers, 20_000); // warm-up
          const runs = [];
          let served = 0;
          for (let i = 0; i < 3; i++) {
            const t0 = performance.now();
            served = lb_run(policy, servers, 200_000);
            runs.push(performance.now() - t0);
          }
          runs.sort((a, b) => a - b);
          out[`${servers}/${policy}`] = { served, ms: runs[1] };
        }
      }
      return out;
    }, policies);
    console.log('# load balancing in Chromium, 200,000 requests at 80% (requests per second; ratio to random in the same run):');
    for (const servers of [10, 64]) {
      const perSecond = (p) => 200_000 / (result[`${servers}/${p}`].ms / 1000);
      for (const p of policies) {
        assert.equal(result[`${servers}/${p}`].served, 200_000, `${p}: every request served`);
        console.log(
          `#   ${String(servers).padStart(2)} servers ${p.padEnd(20)} ${(perSecond(p) / 1e6).toFixed(2)} M/s ` +
            `(${(perSecond(p) / perSecond('random')).toFixed(2)} x random)`,
        );
      }
    }
  });
});
