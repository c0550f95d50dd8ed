#!/usr/bin/env node
// Code size of a wasm module per lab: sums the size of every function body by the first
// `sysplay::{sim,ui,scenario}::<module>` its name mentions, from the module's name section. The wasm
// must keep its names (trunk's release build strips them) and should be built with
// `-C symbol-mangling-version=v0`, whose names keep the type arguments of generics (so
// `Vec<sysplay::sim::queue::Order>::push` or a Yew component's lifecycle counts for its lab; the
// default mangling drops them and such code lands in "dependencies and std"). README.md ("Size and
// build times") has the commands. Usage:
//
//   node tools/wasm_sizes.mjs path/to/module.wasm [--top N]
//
// Prints a table in KB (1 KB = 1000 bytes) of code per group, each group's code also gzipped on its own;
// data segments and other sections are reported apart (they cannot be attributed by name). A function inlined into another counts for the
// function it was inlined into.

import fs from 'node:fs';
import zlib from 'node:zlib';

const LABS = { hashing: 'hashing', queue: 'queue', stream: 'stream', pubsub: 'pubsub', sharding: 'sharding', cache: 'caching', caching: 'caching' };

function readU32(buf, pos) {
  let result = 0;
  let shift = 0;
  for (;;) {
    const byte = buf[pos.at++];
    result += (byte & 0x7f) * 2 ** shift;
    if (!(byte & 0x80)) return result;
    shift += 7;
  }
}

function readName(buf, pos) {
  const len = readU32(buf, pos);
  const s = buf.toString('utf8', pos.at, pos.at + len);
  pos.at += len;
  return s;
}

/** Rust's legacy mangling (`_ZN...E`) to a path; other names are returned as they are. */
export function demangle(name) {
  if (!name.startsWith('_ZN')) return name;
  const parts = [];
  let i = 3;
  while (i < name.length && name[i] !== 'E') {
    let j = i;
    while (name[j] >= '0' && name[j] <= '9') j++;
    const len = Number(name.slice(i, j));
    if (!len) break;
    parts.push(name.slice(j, j + len));
    i = j + len;
  }
  if (parts.length && /^h[0-9a-f]{16}$/.test(parts.at(-1))) parts.pop();
  return parts
    .join('::')
    .replace(/\$LT\$/g, '<')
    .replace(/\$GT\$/g, '>')
    .replace(/\$RF\$/g, '&')
    .replace(/\$BP\$/g, '*')
    .replace(/\$C\$/g, ',')
    .replace(/\$u20\$/g, ' ')
    .replace(/\$u7b\$/g, '{')
    .replace(/\$u7d\$/g, '}')
    .replace(/\$u5b\$/g, '[')
    .replace(/\$u5d\$/g, ']')
    .replace(/\$u27\$/g, "'")
    .replace(/\.\./g, '::');
}

/**
 * The first `sysplay::<a>::<b>` path a name mentions, as [a, b]: from a demangled name (`sysplay::`, or
 * `sysplay[hash]::` for v0 names, which keep the type arguments of generics) or a raw v0 one
 * (`_R...7sysplay3sim5queue...`).
 */
export function sysplayPath(name) {
  const m = /\bsysplay(?:\[[0-9a-f]+\])?::(\w+)::(\w+)/.exec(name);
  if (m) return [m[1], m[2]];
  const at = name.indexOf('7sysplay');
  if (!name.startsWith('_R') || at < 0) return /sysplay/.test(name) ? [] : null;
  let rest = name.slice(at + 8);
  const idents = [];
  while (idents.length < 2) {
    rest = rest.replace(/^s[0-9a-zA-Z]*_/, ''); // a disambiguator
    const n = /^(\d+)_?/.exec(rest);
    if (!n) break;
    const start = n[0].length;
    idents.push(rest.slice(start, start + Number(n[1])));
    rest = rest.slice(start + Number(n[1]));
  }
  return idents;
}

/** The group a function's name belongs to: the lab of the first sysplay path it mentions. */
export function group(name) {
  const p = sysplayPath(name);
  if (p === null) return 'dependencies and std';
  if (['sim', 'ui', 'scenario'].includes(p[0]) && LABS[p[1]]) return `lab: ${LABS[p[1]]}`;
  return 'shared sysplay (kernel, scenario, shell, charts)';
}

export function sizes(buf) {
  const pos = { at: 8 };
  let imported = 0;
  const bodies = [];
  const names = new Map();
  const sections = {};
  while (pos.at < buf.length) {
    const id = buf[pos.at++];
    const size = readU32(buf, pos);
    const start = pos.at;
    const end = start + size;
    let key = `section ${id}`;
    if (id === 2) {
      const count = readU32(buf, pos);
      for (let k = 0; k < count; k++) {
        readName(buf, pos);
        readName(buf, pos);
        const kind = buf[pos.at++];
        if (kind === 0) {
          readU32(buf, pos);
          imported++;
        } else if (kind === 1) {
          pos.at++;
          const flags = buf[pos.at++];
          readU32(buf, pos);
          if (flags & 1) readU32(buf, pos);
        } else if (kind === 2) {
          const flags = buf[pos.at++];
          readU32(buf, pos);
          if (flags & 1) readU32(buf, pos);
        } else if (kind === 3) {
          pos.at += 2;
        } else {
          throw new Error(`unknown import kind ${kind}`);
        }
      }
    } else if (id === 10) {
      key = 'code';
      const count = readU32(buf, pos);
      for (let k = 0; k < count; k++) {
        const before = pos.at;
        const len = readU32(buf, pos);
        pos.at += len;
        bodies.push(buf.subarray(before, pos.at));
      }
    } else if (id === 11) {
      key = 'data';
    } else if (id === 0) {
      const name = readName(buf, pos);
      key = `custom "${name}"`;
      if (name === 'name') {
        while (pos.at < end) {
          const sub = buf[pos.at++];
          const subSize = readU32(buf, pos);
          const subEnd = pos.at + subSize;
          if (sub === 1) {
            const count = readU32(buf, pos);
            for (let k = 0; k < count; k++) {
              const index = readU32(buf, pos);
              names.set(index, readName(buf, pos));
            }
          }
          pos.at = subEnd;
        }
      }
    }
    sections[key] = (sections[key] ?? 0) + (end - start);
    pos.at = end;
  }
  const groups = new Map();
  const parts = new Map();
  const functions = [];
  bodies.forEach((body, i) => {
    const name = demangle(names.get(imported + i) ?? `function[${imported + i}]`);
    const g = group(name);
    groups.set(g, (groups.get(g) ?? 0) + body.length);
    parts.set(g, [...(parts.get(g) ?? []), body]);
    functions.push({ name, bytes: body.length, group: g });
  });
  // Each group's code gzipped on its own (level 9): what it adds to the download, roughly.
  const gzip = new Map([...parts].map(([g, p]) => [g, zlib.gzipSync(Buffer.concat(p), { level: 9 }).length]));
  return { total: buf.length, sections, groups, gzip, functions, named: names.size };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const file = process.argv[2];
  if (!file) {
    console.error('usage: node tools/wasm_sizes.mjs MODULE.wasm [--top N]');
    process.exit(2);
  }
  const top = process.argv.includes('--top') ? Number(process.argv[process.argv.indexOf('--top') + 1]) : 0;
  const r = sizes(fs.readFileSync(file));
  if (r.named === 0) {
    console.error(`${file} has no function names: build it with names kept (see the header of this file)`);
    process.exit(1);
  }
  const kb = (b) => (b / 1000).toFixed(1);
  const names = r.sections['custom "name"'] ?? 0;
  const shipped = r.total - names;
  const pct = (b) => `${((100 * b) / shipped).toFixed(1)}%`;
  console.log(`${file}: ${kb(shipped)} KB without its names (${kb(names)} KB of names), ${kb(r.sections.code)} KB of code`);
  console.log('\n| part | raw KB | share | alone, gzip KB |\n|---|---:|---:|---:|');
  for (const [g, b] of [...r.groups].sort((a, b) => b[1] - a[1])) {
    console.log(`| ${g} | ${kb(b)} | ${pct(b)} | ${kb(r.gzip.get(g))} |`);
  }
  for (const [s, b] of Object.entries(r.sections).sort((a, b) => b[1] - a[1])) {
    if (s !== 'code' && s !== 'custom "name"' && b >= 1000) console.log(`| (${s}) | ${kb(b)} | ${pct(b)} | |`);
  }
  if (top > 0) {
    console.log(`\nlargest ${top} functions:`);
    for (const f of r.functions.sort((a, b) => b.bytes - a.bytes).slice(0, top)) {
      console.log(`${String(f.bytes).padStart(8)}  ${f.group.padEnd(22).slice(0, 22)}  ${f.name.slice(0, 140)}`);
    }
  }
}
