// Building the page from data: every string goes in as text, never as markup, so nothing a run
// stores (an error, an output, a log line) can inject HTML.

// h('a', {href: '#/'}, 'text', child, ...): an element with attributes and children. Attributes
// starting with "on" are listeners; null/false ones are left out; children may be strings,
// nodes, arrays or null.
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
    else if (key === 'class') el.className = value;
    // Through the CSSOM: the Content-Security-Policy refuses style attributes in markup.
    else if (key === 'style') el.style.cssText = value;
    else if (value === true) el.setAttribute(key, '');
    else el.setAttribute(key, String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : String(child));
  }
}

export function clear(el) {
  while (el.firstChild) el.firstChild.remove();
  return el;
}

// The symbol beside each status, so that a status never depends on colour alone.
const SYMBOLS = {
  COMPLETED: '✓', FAILED: '✗', RUNNING: '▶', PENDING: '○', SKIPPED: '↷',
  INTERRUPTED: '⏸', CANCELLED: '⊘', RETRYING: '↻',
};

export function statusBadge(status) {
  const s = status || 'PENDING';
  return h('span', {class: `badge st-${s}`}, h('span', {'aria-hidden': 'true'}, SYMBOLS[s] || '•'),
           ' ', s);
}

export function formatTime(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString(undefined, {dateStyle: 'short', timeStyle: 'medium'});
}

export function formatDuration(ms) {
  if (ms === null || ms === undefined || ms < 0) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(s < 10 ? 2 : 1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${Math.round(s % 60)} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

export function durationBetween(started, finished) {
  if (!started) return null;
  const end = finished ? new Date(finished) : new Date();
  return end - new Date(started);
}

export function errorBox(message) {
  return h('p', {class: 'error', role: 'alert'}, message);
}

// A modal form: `title`, the `body` elements, Cancel and `submitLabel`. onSubmit() runs on
// submit; the dialog closes when it resolves, and stays open showing the message when it throws.
export function showForm({title, body, submitLabel, className, onSubmit}) {
  const titleId = `dialog-title-${Date.now()}`;
  const error = h('p', {class: 'error', role: 'alert'});
  const dialog = h('dialog', {class: className || null, 'aria-labelledby': titleId});
  const form = h('form', {method: 'dialog'},
    h('h2', {id: titleId}, title), body, error,
    h('div', {class: 'buttons'},
      h('button', {type: 'button', onclick: () => dialog.close()}, 'Cancel'),
      h('button', {type: 'submit', class: 'primary'}, submitLabel)));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      await onSubmit();
      dialog.close();
    } catch (e) {
      error.textContent = e.message;
    }
  });
  dialog.append(form);
  dialog.addEventListener('close', () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
}
