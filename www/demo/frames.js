// The last sampling run as frames from noise to data: the view, its time slider and Play.
import { PointView } from './view3d.js';
import { SAMPLE_COLOR } from './draw.js';

export class Frames {
  constructor(demo, camera) {
    this.demo = demo;
    this.view = new PointView(demo.$('anim'), camera);
    this.slider = demo.$('anim-time');
    this.button = demo.$('anim-play');
    this.playing = false;
    this.slider.addEventListener('input', () => this.draw());
    this.button.addEventListener('click', () => (this.playing ? this.stop() : this.play()));
  }

  // The slider spans the frames; live (while sampling): it follows the newest.
  show(live = false) {
    const n = this.demo.s.frames.length;
    this.slider.max = String(Math.max(0, n - 1));
    this.slider.disabled = n < 2;
    this.button.disabled = n < 2;
    if (live || Number(this.slider.value) > n - 1) this.slider.value = String(Math.max(0, n - 1));
    this.draw();
  }

  draw() {
    const { s, views } = this.demo;
    const i = Number(this.slider.value);
    const frame = s.frames[i];
    if (!frame || !s.data) {
      this.view.clear();
      return;
    }
    // The data's bounds, from the last redraw: playing the frames sorts nothing.
    this.view.set([{ rows: frame.rows, color: SAMPLE_COLOR }], s.dim, views.dataBounds, views.axes);
    this.demo.$('anim-label').textContent = `t = ${frame.t.toFixed(3)} (frame ${i + 1} of ${s.frames.length}; 1 is noise, 0 is data)`;
  }

  play() {
    clearInterval(this.timer);
    this.slider.value = '0';
    this.setPlaying(true);
    this.timer = setInterval(() => {
      const next = Number(this.slider.value) + 1;
      if (next > Number(this.slider.max)) {
        this.stop();
        return;
      }
      this.slider.value = String(next);
      this.draw();
    }, 160);
  }

  stop() {
    clearInterval(this.timer);
    this.setPlaying(false);
  }

  setPlaying(playing) {
    this.playing = playing;
    this.button.textContent = playing ? 'Stop' : 'Play';
  }
}
