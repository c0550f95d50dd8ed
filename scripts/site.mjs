// Builds the site into dist/: one page per lab, each a trunk build of the crate with only that lab's
// feature, so what a visitor downloads and runs before the lab they opened is usable does not grow with
// the number of labs. The first lab of the registry (src/labs.rs) is the site's root; the others live at
// `<key>/`. Each page is written with its shell, the lab's title and summary (from the lab's
// `contract.rs`) already in the HTML, so the page reads before its wasm has arrived; the app replaces it.
//
//   node scripts/site.mjs            # release build into dist/ (what visitors get)
//   node scripts/site.mjs --debug    # debug builds (faster to compile, larger)
//   DIST=path node scripts/site.mjs  # elsewhere
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const release = !process.argv.includes('--debug');
const dist = path.resolve(ROOT, process.env.DIST ?? 'dist');

/** The registry's labs: feature, key, the folder of their contract, in navigation order. */
export function labs() {
  const registry = fs.readFileSync(path.join(ROOT, 'src/labs.rs'), 'utf8');
  const line = /#\[cfg\(feature = "([^"]+)"\)\]\s*\w+\s*=\s*"([^"]+)"\s*=>\s*crate::sim::(\w+)::\w+/g;
  return [...registry.matchAll(line)].map(([, feature, key, folder]) => {
    const contract = fs.readFileSync(path.join(ROOT, 'src/sim', folder, 'contract.rs'), 'utf8');
    const text = (name) => {
      const m = new RegExp(`const ${name}: &'static str =\\s*"((?:[^"\\\\]|\\\\[\\s\\S])*)"`).exec(contract);
      if (!m) throw new Error(`no ${name} in src/sim/${folder}/contract.rs`);
      return m[1].replace(/\\\n\s*/g, '').replace(/\\(.)/g, '$1');
    };
    return { feature, key, title: text('TITLE'), summary: text('SUMMARY') };
  });
}

const escape = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The HTML of lab `i`'s page: the template with the lab's feature and its shell written in. */
function page(all, i) {
  const lab = all[i];
  const href = (j) => (i === 0 ? (j === 0 ? './' : `${all[j].key}/`) : j === 0 ? '../' : `../${all[j].key}/`);
  const nav = all
    .map((l, j) =>
      j === i
        ? `<span class="nav-link current" aria-current="page">${escape(l.title)}</span>`
        : `<a class="nav-link" href="${href(j)}">${escape(l.title)}</a>`,
    )
    .join('');
  const shell = `<div id="prerender" class="app">
      <header class="app-header"><div class="brand"><span class="logo" aria-hidden="true">◎</span><span class="name">Sysplay</span><span class="tagline">system design, played live</span></div><nav aria-label="Labs">${nav}</nav></header>
      <main id="main"><div class="lab"><section class="lab-intro"><h1>${escape(lab.title)}</h1><p>${escape(lab.summary)}</p><p class="progress" role="status">Loading the simulation…</p></section></div></main>
    </div>`;
  const template = fs.readFileSync(path.join(ROOT, 'index.html'), 'utf8');
  const rust = '<link data-trunk rel="rust" data-bin="sysplay-web" data-wasm-opt="z" />';
  if (!template.includes(rust) || !template.includes('<body>')) throw new Error('index.html changed: update scripts/site.mjs');
  return template
    .replace(rust, `<link data-trunk rel="rust" data-bin="sysplay-web" data-wasm-opt="z" data-cargo-no-default-features data-cargo-features="${lab.feature}" />`)
    .replace('<title>Sysplay — system design, played live</title>', `<title>${escape(lab.title)} — Sysplay</title>`)
    .replace('<body>', `<body>\n    ${shell}`);
}

function build() {
  const all = labs();
  if (all.length === 0) throw new Error('no lab found in src/labs.rs');
  const started = Date.now();
  for (let i = 0; i < all.length; i++) {
    const lab = all[i];
    // Next to index.html, so the template's asset paths resolve; removed after the build.
    const html = path.join(ROOT, `.site-${lab.key}.html`);
    fs.writeFileSync(html, page(all, i));
    const out = i === 0 ? dist : path.join(dist, lab.key);
    const args = ['build', '--offline=true', '--public-url', './', '--dist', out, ...(release ? ['--release=true'] : []), html];
    const t0 = Date.now();
    try {
      execFileSync('trunk', args, { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
    } finally {
      fs.rmSync(html, { force: true });
    }
    console.log(`site: ${lab.key} page built in ${((Date.now() - t0) / 1000).toFixed(0)} s -> ${path.relative(ROOT, out) || '.'}/`);
  }
  console.log(`site: ${all.length} pages in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) build();
