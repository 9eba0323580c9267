// The demo's markup. Every id carries the demo's prefix, so that several demos can
// share one page; the page's own demo has the empty prefix.

const opt = (pairs) => pairs.map(([v, t]) => `<option value="${v}">${t}</option>`).join('');

export function markup(p) {
  return `
<p id="${p}backend" class="status" role="status">Starting the worker…</p>
<div class="demo-body">
<form id="${p}controls" class="controls" aria-label="Settings" novalidate>
  <fieldset>
    <legend>System</legend>
    <label>search <input id="${p}system-search" data-nokey type="search" placeholder="name, words, dimension" autocomplete="off" aria-controls="${p}system"></label>
    <select id="${p}system" data-nokey class="system-list" size="7" aria-label="System (filtered by the search)" aria-describedby="${p}system-info"></select>
    <div id="${p}system-info" class="info" aria-live="polite">Loading the catalog…</div>
  </fieldset>
  <fieldset>
    <legend>Parameters and data</legend>
    <div id="${p}params" class="params"></div>
    <label id="${p}noise-row">added noise σ <input id="${p}noise" type="number" step="any" min="0" value="0"></label>
    <label>integrator
      <select id="${p}method">${opt([['', 'default'], ['rk4', 'RK4'], ['dopri5', 'Dormand-Prince 5(4)'],
    ['em', 'Euler-Maruyama'], ['heun', 'stochastic Heun']])}</select>
    </label>
    <label>time span <input id="${p}t_end" type="number" step="any" min="0" placeholder="default"></label>
    <label>dt <input id="${p}dt" type="number" step="any" min="0" placeholder="default"></label>
    <label title="simulated time dropped before recording">burn-in <input id="${p}burn_in" type="number" step="any" min="0" placeholder="default"></label>
    <label title="record every k-th integration step">stride <input id="${p}every" type="number" step="1" min="1" placeholder="default"></label>
    <label title="standard deviation of noise added to the recorded data">obs. noise <input id="${p}obs_noise" type="number" step="any" min="0" value="0"></label>
    <label title="coordinate (from 0), dimensions, lag in recorded rows">delay embedding <input id="${p}embed" type="text" placeholder="none, or C,M,L"></label>
    <p id="${p}preview-status" class="hint" aria-live="polite"></p>
  </fieldset>
  <fieldset>
    <legend>Model and training</legend>
    <label>SDE
      <select id="${p}sde">${opt([['vp', 'VP (beta 0.1 to 20)'], ['subvp', 'sub-VP'], ['ve', 'VE (sigma_max from the data)'], ['ncsn', 'NCSN ladder']])}</select>
    </label>
    <label>objective
      <select id="${p}objective">${opt([['dsm', 'denoising score matching'], ['dsm-likelihood', 'DSM, likelihood weighting'],
    ['ssm', 'sliced score matching'], ['ncsn', 'NCSN loss (NCSN ladder)'], ['flow-matching', 'flow matching']])}</select>
    </label>
    <label>steps <input id="${p}steps" type="number" min="1" step="1" value="3000"></label>
    <label>batch <input id="${p}batch" type="number" min="1" step="1" value="256"></label>
    <label>width <input id="${p}width" type="number" min="1" step="1" value="128"></label>
    <label>depth <input id="${p}depth" type="number" min="1" max="32" step="1" value="3"></label>
    <label>learning rate <input id="${p}lr" type="number" step="any" min="0" value="0.002"></label>
    <label title="decay of the exponential moving average of the weights (0: none)">EMA <input id="${p}ema" type="number" step="any" min="0" max="0.99999" value="0.999"></label>
    <label>seed <input id="${p}seed" type="number" min="0" step="1" value="0"></label>
  </fieldset>
  <fieldset>
    <legend>Sampling</legend>
    <label>sampler
      <select id="${p}sampler">${opt([['ode-rk4', 'probability-flow ODE, RK4'], ['ode-heun', 'probability-flow ODE, Heun (EDM steps)'],
    ['ode-dopri5', 'probability-flow ODE, adaptive DOPRI5'], ['em', 'reverse SDE, Euler-Maruyama'],
    ['reverse-diffusion', 'reverse diffusion'], ['ancestral', 'ancestral'], ['pc', 'predictor-corrector (Langevin)'],
    ['ald', 'annealed Langevin (NCSN)'], ['ggf', 'Gotta Go Fast (adaptive SDE)']])}</select>
    </label>
    <label>samples <input id="${p}n" type="number" min="1" step="1" value="2000"></label>
    <label>steps <input id="${p}ode_steps" type="number" min="1" step="1" value="25" title="fixed-step samplers; adaptive ones choose their own"></label>
  </fieldset>
  <fieldset>
    <legend>Backend</legend>
    <label>device
      <select id="${p}prefer">${opt([['auto', 'auto (WebGPU if available)'], ['webgpu', 'WebGPU'], ['cpu', 'CPU']])}</select>
    </label>
  </fieldset>
  <div class="buttons io">
    <label class="file-button">Load CSV data <input id="${p}csv-file" data-nokey type="file" accept=".csv,text/csv"></label>
    <label class="file-button">Load model <input id="${p}model-file" data-nokey type="file" accept=".json,application/json"></label>
    <button id="${p}download" type="button" disabled>Download model</button>
    <button id="${p}copy-link" type="button">Copy link</button>
    <button id="${p}copy-embed" type="button" title="an iframe and a &lt;scoredyn-demo&gt; element with these settings">Copy embed code</button>
  </div>
  <p id="${p}share-status" class="hint" aria-live="polite"></p>
</form>
<section class="views" aria-label="Results">
  <div class="buttons runbar">
    <button id="${p}train" type="submit" form="${p}controls" disabled>Train</button>
    <button id="${p}pause" type="button" disabled>Pause</button>
    <button id="${p}stop" type="button" disabled>Stop</button>
    <button id="${p}more" type="button" disabled title="continue the last run by the number of steps set">Train more</button>
    <button id="${p}sample-again" type="button" disabled>Sample again</button>
  </div>
  <p id="${p}error" class="error" role="alert" hidden></p>
  <div class="progress-row">
    <progress id="${p}progress" max="1" value="0" aria-label="Progress"></progress>
    <span id="${p}progress-text" class="progress-text" aria-live="polite">idle</span>
  </div>
  <figure class="plot-figure">
    <div id="${p}loss" class="plot" role="img" aria-label="Training loss and sample quality"></div>
    <figcaption>loss and sample quality <button type="button" class="small" data-export-png="loss">PNG</button></figcaption>
  </figure>
  <p id="${p}metrics" class="hint metrics" aria-live="polite"></p>
  <div class="view-options">
    <label class="check"><input id="${p}overlay" type="checkbox"> overlay samples on data</label>
    <span id="${p}axes-row" class="axes" hidden>coordinates
      <select id="${p}axis-0" aria-label="first coordinate shown"></select>
      <select id="${p}axis-1" aria-label="second coordinate shown"></select>
      <select id="${p}axis-2" aria-label="third coordinate shown"></select>
    </span>
  </div>
  <div class="pair">
    <figure>
      <canvas id="${p}data-view" class="cloud" tabindex="0" aria-label="Training data in 3D: drag or arrow keys rotate, wheel or plus and minus zoom"></canvas>
      <figcaption><span id="${p}data-caption">data</span> <span id="${p}data-count"></span>
        <button type="button" class="small" data-export-csv="data">CSV</button>
        <button type="button" class="small" data-export-png="data-view">PNG</button></figcaption>
    </figure>
    <figure id="${p}sample-figure">
      <canvas id="${p}sample-view" class="cloud" tabindex="0" aria-label="Generated samples in 3D: drag or arrow keys rotate, wheel or plus and minus zoom"></canvas>
      <figcaption>samples <span id="${p}sample-count"></span>
        <button type="button" class="small" data-export-csv="samples">CSV</button>
        <button type="button" class="small" data-export-png="sample-view">PNG</button></figcaption>
    </figure>
  </div>
  <figure>
    <canvas id="${p}hist" class="hist" role="img" aria-label="Marginal histograms: data filled, samples as a line"></canvas>
    <figcaption>marginals: <span class="swatch data"></span> data, <span class="swatch samples"></span> samples
      <button type="button" class="small" data-export-png="hist">PNG</button></figcaption>
  </figure>
  <div class="pair">
    <figure>
      <canvas id="${p}anim" class="cloud" tabindex="0" aria-label="The samples on their way from noise to data"></canvas>
      <figcaption>
        <div class="scrub">
          <button id="${p}anim-play" type="button" class="small" disabled>Play</button>
          <input id="${p}anim-time" data-nokey type="range" min="0" max="0" value="0" step="1" aria-label="Sampling time (noise to data)" disabled>
        </div>
        <span id="${p}anim-label">noise to data: appears while sampling</span>
        <button type="button" class="small" data-export-png="anim">PNG</button>
      </figcaption>
    </figure>
    <figure>
      <canvas id="${p}field" class="cloud" role="img" aria-label="The learned score as arrows on a 2D slice"></canvas>
      <figcaption>
        <div class="scrub">
          <select id="${p}field-x" aria-label="horizontal coordinate of the slice"></select>
          <select id="${p}field-y" aria-label="vertical coordinate of the slice"></select>
          <input id="${p}field-t" type="range" min="0" max="100" value="35" step="1" aria-label="Noise level (diffusion time, log scale)">
        </div>
        <span id="${p}field-label">learned score: appears with a model</span>
        <button type="button" class="small" data-export-png="field">PNG</button>
      </figcaption>
    </figure>
  </div>
</section>
</div>`;
}
