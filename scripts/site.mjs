// Builds the site into dist/: one page per lab, each a trunk build of the crate with only that lab's
// feature, so what a visitor downloads and runs before the lab they opened is usable does not grow with
// the number of labs. The first lab of the registry (src/labs.rs) is the site's root; the others live at
// `<key>/`. Each page is written with its shell, the lab's heading and introduction (`INTRO` in the lab's
// `contract.rs`, the very markup the app draws: the page's largest text is painted once, before the wasm
// has arrived) and its summary as the page's description; the app replaces the shell when it starts.
//
//   node scripts/site.mjs            # release build into dist/ (what visitors get)
//   node scripts/site.mjs --debug    # debug builds (faster to compile, larger)
//   DIST=path node scripts/site.mjs  # elsewhere
//   node scripts/site.mjs --only hashing,queue  # those pages only, to try a change (no offline cache)
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const release = !process.argv.includes('--debug');
const dist = path.resolve(ROOT, process.env.DIST ?? 'dist');
const onlyAt = process.argv.indexOf('--only');
const only = onlyAt > 0 ? new Set((process.argv[onlyAt + 1] ?? '').split(',')) : null;

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
    return { feature, key, title: text('TITLE'), summary: text('SUMMARY'), intro: text('INTRO') };
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
      <main id="main"><div class="lab"><section class="lab-intro">${lab.intro}<p class="progress" role="status">Loading the simulation…</p></section></div></main>
    </div>`;
  const template = fs.readFileSync(path.join(ROOT, 'index.html'), 'utf8');
  const rust = '<link data-trunk rel="rust" data-bin="sysplay-web" data-wasm-opt="z" />';
  if (!template.includes(rust) || !template.includes('<body>')) throw new Error('index.html changed: update scripts/site.mjs');
  return template
    .replace(rust, `<link data-trunk rel="rust" data-bin="sysplay-web" data-wasm-opt="z" data-cargo-no-default-features data-cargo-features="${lab.feature}" />`)
    .replace('<title>Sysplay — system design, played live</title>', `<title>${escape(lab.title)} — Sysplay</title>`)
    .replace(/<meta name="description" content="[^"]*" \/>/, `<meta name="description" content="${escape(lab.summary)}" />`)
    .replace('<body>', `<body>\n    ${shell}`);
}

/** The build's name, shown in the page's footer: the commit, or "local" outside a git checkout. */
function buildName() {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short=10', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: ROOT, encoding: 'utf8' }).trim();
    return dirty ? `${commit}+` : commit;
  } catch {
    return 'local';
  }
}

/** Every file under `dir`, relative, with `/` separators. */
function files(dir, base = dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? files(full, base) : [path.relative(base, full).split(path.sep).join('/')];
  });
}

/**
 * The service worker: after one visit the whole site works offline. It keeps every file of this build
 * in a cache named by the build; pages are fetched from the network first (a new deployment shows on
 * the next load) and from the cache when offline; trunk's hashed files from the cache first. A new
 * build's worker takes over at once and deletes the caches of older builds.
 */
function serviceWorker(all) {
  const list = files(dist)
    .filter((f) => f !== 'sw.js' && f !== '_headers')
    .map((f) => (f === 'index.html' ? './' : f.endsWith('/index.html') ? f.slice(0, -'index.html'.length) : f))
    .sort();
  const version = createHash('sha256').update(list.join('\n')).update(fs.readFileSync(path.join(dist, 'index.html'))).digest('hex').slice(0, 12);
  const sw = `// Generated by scripts/site.mjs: the site's offline cache (see there).
const CACHE = 'sysplay-${version}';
const FILES = ${JSON.stringify(list, null, 0)};
self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(FILES)).then(() => self.skipWaiting()));
});
self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith('sysplay-') && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});
self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET' || new URL(request.url).origin !== self.location.origin) return;
  if (request.mode === 'navigate') {
    event.respondWith(
      fetch(request)
        .then((response) => {
          const copy = response.clone();
          if (response.ok) caches.open(CACHE).then((cache) => cache.put(request, copy));
          return response;
        })
        .catch(() => caches.match(request, { ignoreSearch: true }).then((hit) => hit ?? caches.match('./'))),
    );
    return;
  }
  event.respondWith(caches.match(request).then((hit) => hit ?? fetch(request)));
});
`;
  fs.writeFileSync(path.join(dist, 'sw.js'), sw);
  return { version, count: list.length };
}

/**
 * A headers file for static hosts that read one (Netlify, Cloudflare Pages): each page's strict
 * Content-Security-Policy (the one the build wrote into its HTML) sent as a header too, and long cache
 * lifetimes for trunk's hashed files; pages and the service worker are revalidated.
 */
function headers(all) {
  const csp = (dir) => /<meta http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(fs.readFileSync(path.join(dir, 'index.html'), 'utf8'))?.[1];
  const block = (pattern, lines) => [pattern, ...lines.map((l) => `  ${l}`)].join('\n');
  const common = ['X-Content-Type-Options: nosniff', 'Referrer-Policy: no-referrer'];
  const pages = all.map((lab, i) => {
    const dir = i === 0 ? dist : path.join(dist, lab.key);
    const policy = csp(dir);
    const lines = [...common, 'Cache-Control: no-cache', ...(policy ? [`Content-Security-Policy: ${policy}`] : [])];
    return i === 0 ? [block('/', lines), block('/index.html', lines)].join('\n') : block(`/${lab.key}/`, lines) + '\n' + block(`/${lab.key}/index.html`, lines);
  });
  const hashed = ['/*.wasm', '/*.js', '/*.css', '/*.svg'].map((p) => block(p, ['Cache-Control: public, max-age=31536000, immutable']));
  const text = [
    '# Generated by scripts/site.mjs: headers for static hosts that read this file.',
    ...pages,
    ...hashed,
    block('/sw.js', ['Cache-Control: no-cache']),
    '',
  ].join('\n');
  fs.writeFileSync(path.join(dist, '_headers'), text);
}

function build() {
  const all = labs();
  if (all.length === 0) throw new Error('no lab found in src/labs.rs');
  const started = Date.now();
  const name = buildName();
  for (let i = 0; i < all.length; i++) {
    const lab = all[i];
    if (only && !only.has(lab.key)) continue;
    // Next to index.html, so the template's asset paths resolve; removed after the build.
    const html = path.join(ROOT, `.site-${lab.key}.html`);
    fs.writeFileSync(html, page(all, i));
    const out = i === 0 ? dist : path.join(dist, lab.key);
    const args = ['build', '--offline=true', '--public-url', './', '--dist', out, ...(release ? ['--release=true'] : []), html];
    const t0 = Date.now();
    try {
      execFileSync('trunk', args, { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, SYSPLAY_BUILD: name } });
    } finally {
      fs.rmSync(html, { force: true });
    }
    console.log(`site: ${lab.key} page built in ${((Date.now() - t0) / 1000).toFixed(0)} s -> ${path.relative(ROOT, out) || '.'}/`);
  }
  if (only) {
    console.log(`site: built ${[...only].join(', ')} only (no headers file, no offline cache)`);
    return;
  }
  headers(all);
  const sw = serviceWorker(all);
  console.log(`site: ${all.length} pages (build ${name}, offline cache ${sw.version} of ${sw.count} files) in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) build();
