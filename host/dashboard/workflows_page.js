// The workflows page: each served workflow with its schedule, its last runs and a Run button.
import {encode, getJson} from './api.js';
import {durationBetween, formatDuration, formatTime, h, statusBadge} from './dom.js';
import {openRunDialog} from './run_dialog.js';

export async function showWorkflows(main, signal) {
  const workflows = await getJson('/api/workflows', signal);
  main.append(h('h1', {}, 'Workflows'));
  if (workflows.length === 0) {
    main.append(h('p', {class: 'muted'},
                  'No workflow is served: put manifests in the service\'s workflows_dir.'));
    return;
  }
  const rows = workflows.map((w) => row(w));
  main.append(h('div', {class: 'scroll'},
                h('table', {class: 'grid stack', id: 'workflows'},
                  h('thead', {},
                    h('tr', {},
                      h('th', {scope: 'col'}, 'Workflow'),
                      h('th', {scope: 'col'}, 'Schedule'),
                      h('th', {scope: 'col'}, 'Last run'),
                      h('th', {scope: 'col'}, 'Last success'),
                      h('th', {scope: 'col'}, 'Recent runs'),
                      h('th', {scope: 'col'}, h('span', {class: 'sr-only'}, 'Actions')))),
                  h('tbody', {}, rows))));
}

function row(w) {
  const last = w.last_run || null;
  return h('tr', {'data-workflow': w.name},
    h('th', {scope: 'row'},
      h('a', {href: `#/workflows/${encode(w.name)}`}, w.name),
      w.description ? h('div', {class: 'muted small'}, w.description) : null,
      h('div', {class: 'muted small'}, `${w.tasks} task${w.tasks === 1 ? '' : 's'}`)),
    h('td', {'data-label': 'Schedule'},
      w.schedule ? h('code', {}, w.schedule) : h('span', {class: 'muted'}, 'on request'),
      w.schedule ? h('div', {class: 'muted small'}, `next: ${formatTime(w.next_run_at)}`) : null),
    h('td', {'data-label': 'Last run'},
      last ? h('a', {href: `#/runs/${encode(last.run_id)}`}, statusBadge(last.status)) : h('span', {class: 'muted'}, 'never run'),
      last ? h('div', {class: 'muted small'}, formatTime(last.started_at)) : null,
      w.active_run ? h('div', {}, h('a', {href: `#/runs/${encode(w.active_run)}`}, 'running now')) : null),
    h('td', {'data-label': 'Last success'}, w.last_success_at ? formatTime(w.last_success_at) : h('span', {class: 'muted'}, '—')),
    h('td', {'data-label': 'Recent runs'}, strip(w.recent_runs || [])),
    h('td', {},
      h('button', {type: 'button', class: 'primary', 'data-action': 'run',
                   'aria-label': `Run ${w.name}`, onclick: () => openRunDialog(w)}, 'Run')));
}

// The recent runs as bars, oldest first: height by duration, colour and symbol-free title by
// status (each is a link whose name says both).
function strip(runs) {
  if (runs.length === 0) return h('span', {class: 'muted'}, '—');
  const durations = runs.map((r) => r.duration_ms ?? durationBetween(r.started_at, r.finished_at) ?? 0);
  const longest = Math.max(1, ...durations);
  return h('div', {class: 'strip', role: 'list', 'aria-label': 'recent runs, oldest first'},
           runs.map((r, i) => {
             const label = `${r.status} ${formatTime(r.started_at)}, ${formatDuration(durations[i])}`;
             return h('a', {class: `bar st-${r.status}`, role: 'listitem', title: label,
                            'aria-label': label, href: `#/runs/${encode(r.run_id)}`,
                            style: `height:${Math.max(15, Math.round(100 * durations[i] / longest))}%`});
           }));
}
