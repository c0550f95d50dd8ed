#!/usr/bin/env node
// Lighthouse on the built site, served as a static host would serve it: compressed (brotli, or gzip for
// a client that asks only for it), with the right content types (application/wasm for the module) and
// long-lived caching for trunk's hashed files.
//
//   node scripts/site.mjs
//   node scripts/lighthouse.mjs [--dist DIR] [--runs N] [--desktop] [--json FILE] [--assert] [--page KEY | --every-page]
//
// The root page (the first lab) by default; --page queue measures the page at queue/, --every-page each
// lab's page in turn (one summary line each).
//
// Mobile is Lighthouse's default (a mid-range phone, simulated slow 4G and 4x CPU slowdown). With
// several runs the median performance run is reported. --assert exits non-zero unless accessibility and
// best practices score 100. Chromium is Debian's (CHROME_PATH, default /usr/bin/chromium), headless.
// The same server and runner are used by e2e/lighthouse.test.mjs.

import fsp from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from './static.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = path.resolve(HERE, '..');

/** The site served as a static host serves it (scripts/static.mjs). Resolves to { url, close() }. */
export function serveCompressed(root, { port = 0 } = {}) {
  return serve(root, port);
}

export const CATEGORIES = ['performance', 'accessibility', 'best-practices'];
const METRICS = {
  FCP: 'first-contentful-paint',
  LCP: 'largest-contentful-paint',
  TBT: 'total-blocking-time',
  TTI: 'interactive',
  SI: 'speed-index',
  CLS: 'cumulative-layout-shift',
};

/**
 * One Lighthouse run of `url` in a fresh headless Chromium. Returns { scores: {category: 0-100},
 * metrics: {LCP: ms, ...}, failing: [{category, id, title, score}], lhr }.
 */
export async function runLighthouse(url, { desktop = false } = {}) {
  const [{ default: lighthouse, desktopConfig }, chromeLauncher] = await Promise.all([
    import('lighthouse'),
    import('chrome-launcher'),
  ]);
  const chrome = await chromeLauncher.launch({
    chromePath: process.env.CHROME_PATH ?? process.env.CHROMIUM ?? '/usr/bin/chromium',
    chromeFlags: [
      '--headless=new',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    logLevel: 'silent',
  });
  try {
    const result = await lighthouse(
      url,
      { port: chrome.port, output: 'json', logLevel: 'error', onlyCategories: CATEGORIES },
      desktop ? desktopConfig : undefined,
    );
    const lhr = result.lhr;
    if (lhr.runtimeError) throw new Error(`Lighthouse: ${lhr.runtimeError.code}: ${lhr.runtimeError.message}`);
    const scores = Object.fromEntries(CATEGORIES.map((c) => [c, Math.round((lhr.categories[c]?.score ?? 0) * 100)]));
    const metrics = Object.fromEntries(
      Object.entries(METRICS).map(([name, id]) => [name, lhr.audits[id]?.numericValue]),
    );
    const failing = [];
    for (const c of CATEGORIES) {
      for (const ref of lhr.categories[c].auditRefs) {
        const a = lhr.audits[ref.id];
        if (ref.weight > 0 && a.score !== null && a.score < 1 && a.scoreDisplayMode !== 'informative') {
          failing.push({ category: c, id: a.id, title: a.title, score: a.score, display: a.displayValue ?? '' });
        }
      }
    }
    return { scores, metrics, failing, lhr };
  } finally {
    await chrome.kill();
  }
}

function formatRun({ scores, metrics }) {
  const ms = (v) => (v === undefined ? '-' : `${Math.round(v)} ms`);
  return (
    `performance ${scores.performance}, accessibility ${scores.accessibility}, ` +
    `best practices ${scores['best-practices']} | FCP ${ms(metrics.FCP)}, LCP ${ms(metrics.LCP)}, ` +
    `TBT ${ms(metrics.TBT)}, TTI ${ms(metrics.TTI)}, SI ${ms(metrics.SI)}, CLS ${metrics.CLS?.toFixed(3) ?? '-'}`
  );
}

async function main(argv) {
  const opts = { dist: path.join(REPO_ROOT, 'dist'), runs: 1, desktop: false, json: null, assert: false, pages: [''] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--dist') opts.dist = path.resolve(argv[++i]);
    else if (a === '--runs') opts.runs = Math.max(1, Number(argv[++i]) | 0);
    else if (a === '--desktop') opts.desktop = true;
    else if (a === '--json') opts.json = path.resolve(argv[++i]);
    else if (a === '--assert') opts.assert = true;
    else if (a === '--page') opts.pages = [argv[++i] ?? ''];
    else if (a === '--every-page') opts.pages = null;
    else {
      console.error(`unknown argument ${a}\nusage: node scripts/lighthouse.mjs [--dist DIR] [--runs N] [--desktop] [--json FILE] [--assert] [--page KEY | --every-page]`);
      process.exit(2);
    }
  }
  if (opts.pages === null) {
    const { labs } = await import('./site.mjs');
    opts.pages = labs().map((lab, i) => (i === 0 ? '' : lab.key));
  }
  const server = await serveCompressed(opts.dist);
  const low = [];
  try {
    for (const page of opts.pages) {
      const url = `${server.url}/${page ? `${page}/` : ''}`;
      const runs = [];
      for (let i = 0; i < opts.runs; i++) {
        const run = await runLighthouse(url, { desktop: opts.desktop });
        runs.push(run);
        console.log(`${page || 'root'} run ${i + 1}/${opts.runs} (${opts.desktop ? 'desktop' : 'mobile'}): ${formatRun(run)}`);
      }
      const sorted = [...runs].sort((a, b) => a.scores.performance - b.scores.performance);
      const median = sorted[Math.floor((sorted.length - 1) / 2)];
      if (runs.length > 1) console.log(`${page || 'root'} median: ${formatRun(median)}`);
      for (const f of median.failing) {
        console.log(`  below 100 in ${f.category}: ${f.id} (${f.title}) score ${f.score}${f.display ? `, ${f.display}` : ''}`);
      }
      if (opts.json) await fsp.writeFile(opts.pages.length > 1 ? opts.json.replace(/(\.json)?$/, `-${page || 'root'}.json`) : opts.json, JSON.stringify(median.lhr, null, 1));
      low.push(...['accessibility', 'best-practices'].filter((c) => runs.some((r) => r.scores[c] < 100)).map((c) => `${page || 'root'} ${c}`));
    }
  } finally {
    await server.close();
  }
  if (opts.assert && low.length) {
    console.error(`not 100: ${low.join(', ')}`);
    process.exit(1);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
