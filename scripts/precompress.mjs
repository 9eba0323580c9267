// Writes brotli (.br) and gzip (.gz) copies beside every compressible built file, so
// that a server that serves precompressed files (scripts/serve.sh's http-server, nginx's
// gzip_static/brotli_static, Caddy's `precompressed`) sends the smallest one the
// browser accepts without compressing on each request. Called by scripts/precache.mjs
// (the Trunk post_build hook) after it has written sw.js; by hand: node
// scripts/precompress.mjs DIR.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';

export const PRECOMPRESSED = /\.(br|gz)$/;
const COMPRESSIBLE = /\.(wasm|js|mjs|html|css|json|svg|csv|txt|md)$/;

// The files under dir worth compressing (text and wasm of 1 KB or more).
function candidates(dir) {
  const out = [];
  const walk = (sub) => {
    for (const entry of fs.readdirSync(path.join(dir, sub), { withFileTypes: true })) {
      const rel = sub ? `${sub}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(rel);
      else if (COMPRESSIBLE.test(rel) && fs.statSync(path.join(dir, rel)).size >= 1024) out.push(rel);
    }
  };
  walk('');
  return out.sort();
}

// Compresses every candidate; returns {file: {raw, br, gz}} in bytes. A copy that would
// not be at least 10% smaller is not written (and a stale one is removed).
export function precompress(dir) {
  const sizes = {};
  for (const rel of candidates(dir)) {
    const file = path.join(dir, rel);
    const raw = fs.readFileSync(file);
    const br = zlib.brotliCompressSync(raw, {
      params: {
        [zlib.constants.BROTLI_PARAM_QUALITY]: zlib.constants.BROTLI_MAX_QUALITY,
        [zlib.constants.BROTLI_PARAM_LGWIN]: zlib.constants.BROTLI_MAX_WINDOW_BITS,
        [zlib.constants.BROTLI_PARAM_SIZE_HINT]: raw.length,
      },
    });
    const gz = zlib.gzipSync(raw, { level: 9 });
    sizes[rel] = { raw: raw.length };
    for (const [ext, data] of [['br', br], ['gz', gz]]) {
      const out = `${file}.${ext}`;
      if (data.length < 0.9 * raw.length) {
        fs.writeFileSync(out, data);
        sizes[rel][ext] = data.length;
      } else if (fs.existsSync(out)) {
        fs.rmSync(out);
      }
    }
  }
  return sizes;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dir = process.argv[2];
  if (!dir) throw new Error('usage: node scripts/precompress.mjs DIR');
  const sizes = precompress(dir);
  for (const [f, s] of Object.entries(sizes)) console.log(`${f}: ${s.raw} raw, ${s.br ?? '-'} br, ${s.gz ?? '-'} gz`);
}
