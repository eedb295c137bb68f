// A workflow's runs, newest first, filterable by status, with their durations as a chart.
import {encode, getJson} from './api.js';
import {durationBetween, formatDuration, formatTime, h, statusBadge} from './dom.js';
import {openRunDialog} from './run_dialog.js';

const STATUSES = ['', 'COMPLETED', 'FAILED', 'RUNNING', 'PENDING', 'INTERRUPTED', 'CANCELLED'];

export async function showHistory(main, workflow, signal) {
  const workflows = await getJson('/api/workflows', signal);
  const served = workflows.find((w) => w.name === workflow);
  if (!served) throw new Error(`No served workflow is named '${workflow}'.`);
  const list = h('div', {id: 'history'});
  const select = h('select', {id: 'history-status', 'aria-label': 'Show runs with status',
                              onchange: () => fill(list, workflow, select.value, signal)},
                   STATUSES.map((s) => h('option', {value: s}, s || 'any status')));
  main.append(
    h('nav', {class: 'crumbs', 'aria-label': 'Breadcrumbs'}, h('a', {href: '#/'}, 'Workflows'), ' / ', workflow),
    h('h1', {}, workflow),
    served.description ? h('p', {}, served.description) : null,
    h('div', {class: 'buttons left'},
      h('button', {type: 'button', class: 'primary', 'data-action': 'run', onclick: () => openRunDialog(served)}, 'Run'),
      h('label', {}, 'Status ', select)),
    list);
  await fill(list, workflow, '', signal);
}

async function fill(list, workflow, status, signal) {
  const query = `workflow=${encode(workflow)}&limit=200${status ? `&status=${status}` : ''}`;
  const runs = await getJson(`/api/runs?${query}`, signal);
  if (runs.length === 0) {
    list.replaceChildren(h('p', {class: 'muted'}, status ? `No ${status} run.` : 'No run yet.'));
    return;
  }
  list.replaceChildren(chart(runs),
    h('div', {class: 'scroll'}, h('table', {class: 'grid', id: 'runs'},
      h('thead', {}, h('tr', {}, ['Run', 'Status', 'Started', 'Duration'].map((t) => h('th', {scope: 'col'}, t)))),
      h('tbody', {}, runs.map((r) => h('tr', {},
        h('td', {}, h('a', {href: `#/runs/${encode(r.run_id)}`}, h('code', {}, r.run_id))),
        h('td', {}, statusBadge(r.status)),
        h('td', {}, formatTime(r.started_at)),
        h('td', {}, formatDuration(durationBetween(r.started_at, r.finished_at)))))))));
}

// Durations of the listed runs, oldest on the left; each bar is a link to its run.
function chart(runs) {
  const ordered = runs.slice().reverse();
  const durations = ordered.map((r) => durationBetween(r.started_at, r.finished_at) || 0);
  const longest = Math.max(1, ...durations);
  const width = 720;
  const height = 120;
  const step = width / ordered.length;
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('viewBox', `0 0 ${width} ${height + 16}`);
  svg.setAttribute('class', 'chart');
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', `Durations of the last ${ordered.length} runs; the longest took ${formatDuration(longest)}`);
  ordered.forEach((r, i) => {
    const bar = document.createElementNS(svg.namespaceURI, 'rect');
    const hgt = Math.max(2, Math.round(height * durations[i] / longest));
    bar.setAttribute('x', (i * step + step * 0.1).toFixed(1));
    bar.setAttribute('width', Math.max(1, step * 0.8).toFixed(1));
    bar.setAttribute('y', height - hgt);
    bar.setAttribute('height', hgt);
    bar.setAttribute('class', `st-${r.status}`);
    const title = document.createElementNS(svg.namespaceURI, 'title');
    title.textContent = `${r.run_id}: ${r.status}, ${formatDuration(durations[i])}`;
    bar.append(title);
    const link = document.createElementNS(svg.namespaceURI, 'a');
    link.setAttribute('href', `#/runs/${encode(r.run_id)}`);
    link.append(bar);
    svg.append(link);
  });
  const label = document.createElementNS(svg.namespaceURI, 'text');
  label.setAttribute('x', 0);
  label.setAttribute('y', height + 13);
  label.setAttribute('class', 'axis');
  label.textContent = `longest: ${formatDuration(longest)}`;
  svg.append(label);
  return h('figure', {}, svg, h('figcaption', {class: 'muted small'}, 'Run durations, oldest on the left'));
}
