// The dashboard: a single page whose location hash names the view, so that every view has a
// link, and the browser's back button works. Each view gets an AbortSignal that is aborted when
// the user leaves it, which ends its requests and live streams.
import {clear, errorBox} from './dom.js';
import {showHistory} from './history_page.js';
import {showPlugins} from './plugins_page.js';
import {showRun} from './run_page.js';
import {showWorkflows} from './workflows_page.js';

const ROUTES = [
  [/^#?\/?$/, 'workflows', (main, m, signal) => showWorkflows(main, signal)],
  [/^#\/plugins$/, 'plugins', (main, m, signal) => showPlugins(main, signal)],
  [/^#\/workflows\/([^/]+)$/, 'workflows',
   (main, m, signal) => showHistory(main, decodeURIComponent(m[1]), signal)],
  [/^#\/runs\/([^/]+)(?:\/tasks\/([^/]+))?$/, 'workflows',
   (main, m, signal) =>
       showRun(main, decodeURIComponent(m[1]), m[2] ? decodeURIComponent(m[2]) : null, signal)],
];

let current = null;  // {controller, key}

async function route() {
  const hash = location.hash || '#/';
  const main = document.getElementById('main');
  // The run page keeps itself when only the selected task changes (its live stream goes on).
  const runKey = hash.match(/^#\/runs\/([^/]+)/);
  if (current && runKey && current.key === runKey[1] && current.onTask) {
    const task = hash.match(/\/tasks\/([^/]+)$/);
    current.onTask(task ? decodeURIComponent(task[1]) : null);
    return;
  }
  if (current) current.controller.abort();
  const controller = new AbortController();
  current = {controller, key: runKey ? runKey[1] : hash, onTask: null};
  for (const [pattern, section, show] of ROUTES) {
    const m = hash.match(pattern);
    if (!m) continue;
    for (const link of document.querySelectorAll('nav a')) {
      link.toggleAttribute('aria-current', link.dataset.section === section);
    }
    clear(main);
    try {
      const page = await show(main, m, controller.signal);
      if (page && page.onTask && current && current.controller === controller) {
        current.onTask = page.onTask;
      }
    } catch (e) {
      if (e.name !== 'AbortError') main.append(errorBox(e.message));
    }
    return;
  }
  clear(main).append(errorBox(`No page at ${hash}.`));
}

window.addEventListener('hashchange', route);
route();
