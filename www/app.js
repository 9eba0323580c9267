// The page: one demo filling #app, its settings in the URL hash.
import { Demo } from './demo/demo.js';
import { registerOffline } from './offline.js';

const keys = new URLSearchParams(location.hash.slice(1));
window.scoredyn = new Demo(document.getElementById('app'), { keys, syncHash: true });
registerOffline();
