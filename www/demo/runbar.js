// The run bar from the run state: which of Train, Pause/Resume, Stop, Train more, Sample
// again, Download model and the device menu can be used, and Pause's label.

// A demo's run state: nothing running, no model yet.
export const idle = () => ({ running: false, job: null, paused: false, autoPaused: false, hasModel: false, canContinue: false });

export function showRun(demo) {
  const { run, $ } = demo;
  const ready = demo.client.ready;
  $('train').disabled = run.running || !ready;
  // A response is one call in the worker: it cannot be stopped or paused.
  $('stop').disabled = !run.running || run.job === 'response';
  demo.form.el('backend').disabled = run.running;
  $('download').disabled = run.running || !run.hasModel;
  $('sample-again').disabled = run.running || !run.hasModel || !ready;
  $('more').disabled = run.running || !run.canContinue || !ready;
  $('pause').disabled = !run.running || run.job === 'sample' || run.job === 'response';
  $('pause').textContent = run.paused ? 'Resume' : 'Pause';
}
