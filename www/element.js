// <scoredyn-demo>: a live demo for lecture notes. Its attributes are the URL hash's
// keys (system, p.<param>, steps, sampler, controls="hidden", autostart="1", ...).
// Each element owns its own worker; training pauses while the element is off-screen.
//
//   <link rel="stylesheet" href="style.css">
//   <script type="module" src="element.js"></script>
//   <scoredyn-demo system="Rossler" steps="1500" controls="hidden" autostart="1"></scoredyn-demo>
import { Demo } from './demo/demo.js';
import { registerOffline } from './offline.js';

let count = 0;

class ScoredynDemo extends HTMLElement {
  connectedCallback() {
    if (this.demo) return;
    count += 1;
    const keys = new URLSearchParams();
    for (const a of this.attributes) if (!['class', 'style', 'id'].includes(a.name)) keys.set(a.name, a.value);
    const prefix = `${this.id || `scoredyn-${count}`}-`;
    this.demo = new Demo(this, { keys, prefix, visible: false });
    this.observer = new IntersectionObserver((entries) => {
      for (const e of entries) this.demo.setVisible(e.isIntersecting);
    }, { threshold: 0.05 });
    this.observer.observe(this);
  }

  disconnectedCallback() {
    if (this.observer) this.observer.disconnect();
  }
}

if (!customElements.get('scoredyn-demo')) customElements.define('scoredyn-demo', ScoredynDemo);
registerOffline();
