// The demo's markup: status line, controls (form.js), run bar and views. Every id carries
// the demo's prefix p, so that several demos can share a page (the page's own: '').
import { controlsMarkup, field } from './form.js';

const png = (which) => `<button type="button" class="small" data-export-png="${which}">PNG</button>`;
const csv = (which) => `<button type="button" class="small" data-export-csv="${which}">CSV</button>`;
const ROTATE = 'drag or arrow keys rotate, wheel or plus and minus zoom';

export function layout(p) {
  return `
<p id="${p}backend" class="status" role="status">Starting the worker…</p>
<div class="demo-body">
${controlsMarkup(p)}
<section class="views" aria-label="Results">
  <div class="buttons runbar">
    <button id="${p}train" type="submit" form="${p}controls" disabled>Train</button>
    <button id="${p}pause" type="button" disabled>Pause</button>
    <button id="${p}stop" type="button" disabled>Stop</button>
    <button id="${p}more" type="button" disabled title="continue the last run by the number of steps set">Train more</button>
    <button id="${p}sample-again" type="button" disabled>Sample again</button>
    <button id="${p}likelihood-run" type="button" disabled title="held-out log-likelihood of the current model, nats per dimension">Likelihood</button>
  </div>
  <p id="${p}error" class="error" role="alert" hidden></p>
  <div class="progress-row">
    <progress id="${p}progress" max="1" value="0" aria-label="Progress"></progress>
    <span id="${p}progress-text" class="progress-text" aria-live="polite">idle</span>
  </div>
  <figure class="plot-figure">
    <div id="${p}loss" class="plot" role="img" aria-label="Training loss and sample quality"></div>
    <figcaption>loss and sample quality ${png('loss')}</figcaption>
  </figure>
  <p id="${p}metrics" class="hint metrics" aria-live="polite"></p>
  <p id="${p}likelihood" class="hint metrics" aria-live="polite"></p>
  <div class="view-options">
    ${field(p, 'overlay')}
    <span id="${p}axes-row" class="axes" hidden>coordinates
      ${field(p, 'axis-0')}
      ${field(p, 'axis-1')}
      ${field(p, 'axis-2')}
    </span>
  </div>
  <div class="pair">
    <figure>
      <canvas id="${p}data-view" class="cloud" tabindex="0" aria-label="Training data in 3D: ${ROTATE}"></canvas>
      <figcaption><span id="${p}data-caption">data</span> <span id="${p}data-count"></span>
        ${csv('data')} ${png('data-view')}</figcaption>
    </figure>
    <figure id="${p}sample-figure">
      <canvas id="${p}sample-view" class="cloud" tabindex="0" aria-label="Generated samples in 3D: ${ROTATE}"></canvas>
      <figcaption>samples <span id="${p}sample-count"></span>
        ${csv('samples')} ${png('sample-view')}</figcaption>
    </figure>
  </div>
  <figure>
    <canvas id="${p}hist" class="hist" role="img" aria-label="Marginal histograms: data filled, samples as a line"></canvas>
    <figcaption>marginals: <span class="swatch data"></span> data, <span class="swatch samples"></span> samples
      ${png('hist')}</figcaption>
  </figure>
  <div class="pair">
    <figure>
      <canvas id="${p}anim" class="cloud" tabindex="0" aria-label="The samples on their way from noise to data"></canvas>
      <figcaption>
        <div class="scrub">
          <button id="${p}anim-play" type="button" class="small" disabled>Play</button>
          <input id="${p}anim-time" type="range" min="0" max="0" value="0" step="1" aria-label="Sampling time (noise to data)" disabled>
        </div>
        <span id="${p}anim-label">noise to data: appears while sampling</span>
        ${png('anim')}
      </figcaption>
    </figure>
    <figure>
      <canvas id="${p}field" class="cloud" role="img" aria-label="The learned score as arrows on a 2D slice"></canvas>
      <figcaption>
        <div class="scrub">
          ${field(p, 'field-x')}
          ${field(p, 'field-y')}
          ${field(p, 'field-t')}
        </div>
        <span id="${p}field-label">learned score: appears with a model</span>
        ${png('field')}
      </figcaption>
    </figure>
  </div>
  <figure id="${p}density-figure" hidden>
    <canvas id="${p}density" class="cloud" role="img" aria-label="The model's log-density on a grid, data as dots"></canvas>
    <figcaption><span id="${p}density-label">the model's density: press Likelihood to draw it</span> ${png('density')}</figcaption>
  </figure>
  <figure class="plot-figure response">
    <div class="view-options">
      ${field(p, 'response-kick')}
      ${field(p, 'response-obs')}
      ${field(p, 'response-tau')}
      ${field(p, 'response-normalize')}
      ${field(p, 'response-perturb')}
      ${field(p, 'response-members')}
      <button id="${p}response-run" type="button" class="small">Compute response</button>
    </div>
    <div id="${p}response-plot" class="plot" role="img" aria-label="Response to a kick over the lag tau, by each estimator"></div>
    <figcaption>response to a kick (fluctuation-dissipation theorem) ${png('response')}
      <p id="${p}response-status" class="hint" aria-live="polite">press Compute response: a stochastic system
        (or a flow with added noise), the Gaussian estimator, the learned score once a model is trained</p>
    </figcaption>
  </figure>
</section>
</div>`;
}
