// The worker's job settings (DataSpec, training, sampling) from the demo's state, each
// field checked on the way: the first bad one takes the focus and its message is thrown.

// The data request; the system, its parameters and the added noise are the picker's.
export function dataSpec(form, picker) {
  if (!picker.current) throw new Error('the catalog is still loading');
  const spec = picker.spec();
  const { state } = form;
  if (state.method) spec.method = state.method;
  for (const key of ['t_end', 'dt', 'burn_in', 'every']) {
    const v = form.number(key);
    if (v !== undefined) spec[key] = v;
  }
  const obs = form.number('obs_noise');
  if (obs) spec.obs_noise = obs;
  const embed = form.embed();
  if (embed) spec.embed = embed;
  return spec;
}

export function trainSettings(form) {
  const n = (key) => form.number(key);
  const out = {
    steps: n('steps'), batch: n('batch'), width: n('width'), depth: n('depth'), lr: n('lr'), ema: n('ema'), seed: n('seed'),
    sde: form.state.sde,
    objective: form.state.objective,
    arch: form.state.arch,
  };
  // (The field is disabled for an MLP: a RealNVP's setting only.)
  if (form.state.arch === 'realnvp') {
    const layers = n('layers');
    if (layers !== undefined) out.layers = layers;
  }
  return out;
}

export function sampleSettings(form) {
  return { n: form.number('n'), steps: form.number('ode_steps'), sampler: form.state.sampler, seed: 1 };
}

// Everything a run needs, in the order the fields are checked.
export function runSettings(form, picker) {
  return { data: dataSpec(form, picker), train: trainSettings(form), sample: sampleSettings(form) };
}
