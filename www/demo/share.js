// Sharing: the URL hash kept in step with the settings, Copy link and Copy embed code
// (an iframe of embed.html, or a <scoredyn-demo> element with the same keys).
import { encode } from '../state.js';

// The settings that differ from their defaults, as URL keys.
export const currentKeys = (demo) => encode(demo.state, { dim: demo.s.data ? demo.s.dim : null });

export function writeHash(demo) {
  if (!demo.syncHash) return;
  const text = currentKeys(demo).toString();
  history.replaceState(null, '', text ? `#${text}` : location.pathname + location.search);
}

function link(demo) {
  if (demo.syncHash) { writeHash(demo); return location.href; }
  return `${new URL('.', location.href).href}#${currentKeys(demo)}`;
}

function embedCode(demo) {
  const keys = currentKeys(demo);
  const attrs = [...keys].map(([k, v]) => ` ${k}="${v.replace(/&/g, '&amp;').replace(/"/g, '&quot;')}"`).join('');
  const base = new URL('.', location.href).href;
  return `<iframe src="${base}embed.html#${keys}" width="900" height="700" title="scoredyn demo"></iframe>\n`
    + `<!-- or, with ${base}element.js loaded as a module: -->\n<scoredyn-demo${attrs}></scoredyn-demo>`;
}

async function copy(demo, text, ok) {
  try {
    await navigator.clipboard.writeText(text);
    demo.$('share-status').textContent = ok;
  } catch (e) {
    demo.$('share-status').textContent = `Copy this: ${text}`;
  }
}

export function bindSharing(demo) {
  demo.$('copy-link').addEventListener('click', () => copy(demo, link(demo), 'Link copied: it opens this page with these settings.'));
  demo.$('copy-embed').addEventListener('click', () => copy(demo, embedCode(demo),
    'Embed code copied: an iframe, or a <scoredyn-demo> element with the same settings.'));
}
