// The release bundle's size budget: stops accidental growth of what every visitor downloads. Needs only
// the built dist/ (no browser). The wasm is gzipped here at level 9 (what a static host serves is
// similar); the budget grows with the number of labs:
//
//   budget = BASE_KB + LABS × PER_LAB_KB   (gzip, 1 KB = 1000 bytes)
//
// Set from what was measured with four labs (README.md, "Size and build times", has the per-lab table
// and the commands): 467.3 KB gzip in all; each lab's own code 47-52 KB gzip on its own. PER_LAB_KB is
// the largest lab plus about 15% for its strings and its part of the shared scenario decoder (which
// inlines every lab's format), so a new lab of the same kind fits by raising LABS. BASE_KB is the rest
// (Yew, the shell, charts, the scenario format, serde, std: 467.3 - 4 × 60 = 227.3 KB) plus 22.7 KB,
// about 5% of the whole, for ordinary growth: a sizeable new dependency (a regex or date crate is tens
// of KB gzip) or an accidental debug build goes over. Going over without a new lab means
// something grew by accident: find what (tools/wasm_sizes.mjs) before raising a figure.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** The built site, as in harness.mjs (override with E2E_DIST). */
const DIST_DIR = path.resolve(process.env.E2E_DIST ?? path.join(REPO_ROOT, 'dist'));

/** The labs of the usual size the page has (hashing, queue, stream, pubsub). Raise it when such a lab
 * lands: 4 more are planned. */
export const LABS = 4;
/** The sharding and replication lab, gzip KB: two simulations in one (a Raft-style replication
 * simulator, and a query router over generated tables with its SQL subset) and its page. It added 119-120
 * KB gzip to the whole wasm (79 KB of its own code alone; its formats inlined into the shared scenario
 * decoder, its strings), then its resharding panel 9 KB, its quorum-staleness panel 6.5 and its skew
 * table 4.2: 139 in all (514.5 -> 653.8 KB), more than twice a usual lab; 145 leaves it about 4% to grow. Loading a lab's code
 * only when it is opened is the structural answer to its weight. */
export const SHARDING_KB = 145;
/** What the page carries whatever its labs, gzip KB. Raised from 250 when the lab contract, the
 * timeline and the run budget landed: shared machinery every lab uses (the shared code grew from 241.5
 * to 286 KB raw and the data from 136 to 151 KB, measured with tools/wasm_sizes.mjs; 509 KB gzip in
 * all), not a lab's own copy. Raised to 295 when sessions stopped being lost (a session past the link
 * caps shared as a scenario file and opened from one, the autosave of whole scenarios, the "opening"
 * mark and its Start fresh / Try again bar) and forms began keeping what users type (the shared Field,
 * Check and TextArea components, every invalid field marked in its own unit, a form applied whole or not
 * at all, in all five labs): 20 KB gzip together (659.4 -> 679.4 KB). Raised to 297 when every
 * scrolling region became reachable by keyboard and named (ui::scroll, the names of 22 tables, drawings
 * and lists, in every lab): 1.1 KB gzip (679.4 -> 680.5 KB). Loading a lab's code when it is opened
 * (issue "fast first load") is what stops this growth. */
export const BASE_KB = 297;
/** One lab's allowance, gzip KB. */
export const PER_LAB_KB = 60;
/** The JavaScript glue wasm-bindgen writes, gzip KB (8.2 measured; it grows with the browser functions
 * the page imports, not with labs). */
export const JS_KB = 10;

const kb = (bytes) => bytes / 1000;

function built(ext) {
  assert.ok(fs.existsSync(DIST_DIR), `${DIST_DIR} does not exist: build the site first (scripts/test build)`);
  const files = fs.readdirSync(DIST_DIR).filter((f) => f.endsWith(ext));
  assert.equal(files.length, 1, `expected one ${ext} file in ${DIST_DIR}, found: ${files.join(', ') || 'none'}`);
  const bytes = fs.readFileSync(path.join(DIST_DIR, files[0]));
  return { name: files[0], raw: bytes.length, gzip: zlib.gzipSync(bytes, { level: 9 }).length };
}

test('the release wasm stays within its budget', () => {
  const wasm = built('.wasm');
  const budget = BASE_KB + LABS * PER_LAB_KB + SHARDING_KB;
  console.log(
    `${wasm.name}: ${kb(wasm.raw).toFixed(1)} KB raw, ${kb(wasm.gzip).toFixed(1)} KB gzip; ` +
      `budget ${budget} KB gzip (${BASE_KB} + ${LABS} labs × ${PER_LAB_KB} + sharding ${SHARDING_KB})`,
  );
  assert.ok(
    kb(wasm.gzip) <= budget,
    `The release wasm is ${kb(wasm.gzip).toFixed(1)} KB gzip, over its budget of ${budget} KB ` +
      `(${BASE_KB} KB + ${LABS} labs × ${PER_LAB_KB} KB + sharding ${SHARDING_KB} KB). If a lab was added, raise LABS in ` +
      `e2e/budget.test.mjs; otherwise check that this is a release build (trunk build --release) and ` +
      `find what grew (node tools/wasm_sizes.mjs, see README.md).`,
  );
});

test('the JavaScript glue stays within its budget', () => {
  const js = built('.js');
  console.log(`${js.name}: ${kb(js.raw).toFixed(1)} KB raw, ${kb(js.gzip).toFixed(1)} KB gzip; budget ${JS_KB} KB gzip`);
  assert.ok(
    kb(js.gzip) <= JS_KB,
    `The JavaScript glue is ${kb(js.gzip).toFixed(1)} KB gzip, over its budget of ${JS_KB} KB.`,
  );
});
