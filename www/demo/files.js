// Files in and out: data and samples as CSV, any view as PNG, the model file; Load CSV
// data and Load model send a file to the worker.
import { send } from '../protocol.js';

export function toCsv(rows, dim) {
  const lines = [Array.from({ length: dim }, (_, j) => `x${j}`).join(',')];
  for (let i = 0; i < rows.length / dim; i++) lines.push(Array.from(rows.subarray(i * dim, (i + 1) * dim)).join(','));
  return lines.join('\n') + '\n';
}

export function download(name, blob) {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

// A PNG of any canvas, composited over the page background (uPlot's canvas is
// transparent).
function canvasPng(canvas, done) {
  const out = document.createElement('canvas');
  out.width = canvas.width;
  out.height = canvas.height;
  const ctx = out.getContext('2d');
  ctx.fillStyle = '#0f1419';
  ctx.fillRect(0, 0, out.width, out.height);
  ctx.drawImage(canvas, 0, 0);
  out.toBlob(done, 'image/png');
}

export function bindFiles(demo) {
  const { root, s, $ } = demo;
  for (const b of root.querySelectorAll('[data-export-csv]')) {
    b.addEventListener('click', () => {
      const which = b.dataset.exportCsv;
      const rows = which === 'data' ? s.data : s.samples;
      if (!rows) { demo.showError(`no ${which} yet`); return; }
      download(`scoredyn-${which}.csv`, new Blob([toCsv(rows, s.dim)], { type: 'text/csv' }));
    });
  }
  for (const b of root.querySelectorAll('[data-export-png]')) {
    b.addEventListener('click', () => {
      const which = b.dataset.exportPng;
      const canvas = which === 'loss' ? demo.lossPlot.canvas() : which === 'response' ? demo.responseView.canvas() : $(which);
      canvasPng(canvas, (blob) => download(`scoredyn-${which}.png`, blob));
    });
  }
  $('download').addEventListener('click', () => demo.client.post(send.model()));
  // A file the worker accepts replaces the data (or the model); a bad one gets a message.
  // Chosen while the worker is busy, it is loaded when the job ends (and the page says so).
  const load = (id, kind, message) => $(id).addEventListener('change', async (ev) => {
    const file = ev.target.files[0];
    ev.target.value = '';
    if (!file) return;
    const text = await file.text();
    // A CSV and a re-simulation both replace the data: one kind, the latest wins.
    if (kind === 'data') demo.userCsv = true;
    demo.whenIdle(kind, `${file.name} will load`, (later) => {
      // An earlier file's message goes; a message the finished job left stays.
      if (!later) demo.showError('');
      demo.client.post(message(text, file.name));
    });
  });
  load('csv-file', 'data', (text, name) => send.csv(text, name));
  load('model-file', 'model', (text, name) => send.loadModel(text, name));
}
