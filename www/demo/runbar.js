// The run bar from the run state: which of Train, Pause/Resume, Stop, Train more, Sample
// again, Likelihood, Download model and the device menu can be used, and Pause's label.

// A demo's run state: nothing running, no model yet.
export const idle = () => ({ running: false, job: null, paused: false, autoPaused: false, hasModel: false, canContinue: false });

export function showRun(demo) {
  const { run, $ } = demo;
  const ready = demo.client.ready;
  $('train').disabled = run.running || !ready;
  // A response or a likelihood is one call in the worker: it cannot be stopped or paused.
  const oneCall = run.job === 'response' || run.job === 'likelihood';
  $('stop').disabled = !run.running || oneCall;
  demo.form.el('backend').disabled = run.running;
  $('download').disabled = run.running || !run.hasModel;
  $('sample-again').disabled = run.running || !run.hasModel || !ready;
  $('likelihood-run').disabled = run.running || !run.hasModel || !ready;
  $('more').disabled = run.running || !run.canContinue || !ready;
  $('pause').disabled = !run.running || run.job === 'sample' || oneCall;
  $('pause').textContent = run.paused ? 'Resume' : 'Pause';
}
