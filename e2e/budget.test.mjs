// The site's size budget: stops accidental growth of what a visitor downloads before the lab they opened
// runs. Needs only the built dist/ (no browser). Each lab has its own page holding only its own lab's
// code (scripts/site.mjs), so the budget is per page and does not grow with the number of labs:
//
//   a page's wasm <= BASE_KB + its lab's allowance   (gzip at level 9, 1 KB = 1000 bytes)
//
// Measured when the site was split into pages (README.md, "The site"): the hashing page 305.0 KB gzip,
// the queue 290.6, the partitioned log 286.1, publish/subscribe 280.4, sharding 361.6 (caching, added
// later, 375.0 with its four simulations; requests vs events, later still, 311.9 with five); the whole app in
// one page had grown to 679.4 KB. The shared part (Yew, the shell, forms, charts, the scenario format,
// the timeline, serde, std) is about 230 KB of every page; a usual lab adds 50-75 KB to its page,
// sharding about 130. BASE_KB is the shared part plus about 10% for ordinary growth: a sizeable new
// dependency or an accidental debug build goes over. Going over means something grew: find what
// (tools/wasm_sizes.mjs) before raising a figure.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { labs } from '../scripts/site.mjs';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** The built site, as in harness.mjs (override with E2E_DIST). */
const DIST_DIR = path.resolve(process.env.E2E_DIST ?? path.join(REPO_ROOT, 'dist'));

/** The labs of the usual size the site has (hashing, queue, stream, pubsub, requests vs events, scaling,
 * resilience), each with its page. Raise it when such a lab lands. */
export const LABS = 7;
/** The sharding and replication lab's allowance on its page, gzip KB: two simulations in one (a
 * Raft-style replication simulator, and a query router over generated tables with its SQL subset) and its
 * panels; its page is 361.6 KB gzip, about 130 above the shared part. */
export const SHARDING_KB = 120;
/** The caching lab's allowance on its page, gzip KB: four simulations in one (nine eviction policies and
 * the optimum stepped together with their explanations; where caches sit on the notes' path; TTLs, write
 * policies and the stale race; a CDN with a rate limiter), their cards and setup forms, and the policies'
 * benchmark export. Its page is 384.0 KB gzip: 374.8 before the parts' setup forms (+9.0) and the export
 * (+1.6), less 1.4 when `WorkloadSpec` was read flat instead of by serde's derive for a tagged enum. */
export const CACHING_KB = 135;
/** What every page carries whatever its lab, gzip KB (see the header). */
export const BASE_KB = 255;
/** One lab's allowance, gzip KB. */
export const PER_LAB_KB = 60;
/** The JavaScript glue wasm-bindgen writes, gzip KB (8.2 measured; it grows with the browser functions
 * the page imports, not with labs). */
export const JS_KB = 10;

const kb = (bytes) => bytes / 1000;

/** Every page of the built site: the root (the first lab) and one folder per other lab. */
function pages() {
  assert.ok(fs.existsSync(DIST_DIR), `${DIST_DIR} does not exist: build the site first (scripts/test build)`);
  const dirs = [DIST_DIR, ...fs.readdirSync(DIST_DIR, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => path.join(DIST_DIR, d.name))];
  return dirs
    .filter((dir) => fs.existsSync(path.join(dir, 'index.html')))
    .map((dir) => {
      // The root is the registry's first lab; the others are named by their folder.
      const lab = dir === DIST_DIR ? labs()[0].key : path.basename(dir);
      return { dir, lab, name: path.relative(DIST_DIR, dir) || '(root)' };
    });
}

function built(dir, ext) {
  // The page's own files (trunk names them after the binary), not the site's service worker.
  const files = fs.readdirSync(dir).filter((f) => f.startsWith('sysplay-web-') && f.endsWith(ext));
  assert.equal(files.length, 1, `expected one ${ext} file in ${dir}, found: ${files.join(', ') || 'none'}`);
  const bytes = fs.readFileSync(path.join(dir, files[0]));
  return { name: files[0], raw: bytes.length, gzip: zlib.gzipSync(bytes, { level: 9 }).length };
}

/** What a visitor downloads before the lab they opened runs: that page's wasm only. */
const allowance = (lab) => ({ sharding: SHARDING_KB, caching: CACHING_KB })[lab] ?? PER_LAB_KB;

test('every lab has its own page, and the site holds no other', () => {
  const found = pages().map((p) => p.name).sort();
  console.log(`pages: ${found.join(', ')}`);
  // The usual labs, the sharding lab and the caching lab.
  assert.equal(found.length, LABS + 2, `expected ${LABS + 2} pages (one per lab), found ${found.join(', ')}`);
  assert.equal(labs().length, LABS + 2, 'the registry and LABS agree');
});

test("each page's wasm stays within the first-load budget, whatever the number of labs", () => {
  for (const p of pages()) {
    const wasm = built(p.dir, '.wasm');
    const budget = BASE_KB + allowance(p.lab);
    console.log(
      `${p.name} (${p.lab}): ${kb(wasm.raw).toFixed(1)} KB raw, ${kb(wasm.gzip).toFixed(1)} KB gzip; ` +
        `budget ${budget} KB gzip (${BASE_KB} + ${allowance(p.lab)})`,
    );
    assert.ok(
      kb(wasm.gzip) <= budget,
      `The ${p.name} page's wasm is ${kb(wasm.gzip).toFixed(1)} KB gzip, over its budget of ${budget} KB ` +
        `(${BASE_KB} KB shared + ${allowance(p.lab)} KB for its lab). Check that this is the site build ` +
        `(node scripts/site.mjs: one lab per page) and find what grew (node tools/wasm_sizes.mjs, see README.md).`,
    );
  }
});

test('the JavaScript glue stays within its budget', () => {
  for (const p of pages()) {
    const js = built(p.dir, '.js');
    console.log(`${p.name}: ${js.name}: ${kb(js.raw).toFixed(1)} KB raw, ${kb(js.gzip).toFixed(1)} KB gzip; budget ${JS_KB} KB gzip`);
    assert.ok(kb(js.gzip) <= JS_KB, `The ${p.name} page's JavaScript glue is ${kb(js.gzip).toFixed(1)} KB gzip, over ${JS_KB} KB.`);
  }
});
