// The loaded plugins: where each came from, its version and SHA-256, and its task types with
// the parameters they declare.
import {getJson} from './api.js';
import {h} from './dom.js';

export async function showPlugins(main, signal) {
  const plugins = await getJson('/api/plugins', signal);
  main.append(h('h1', {}, 'Plugins'));
  if (plugins.length === 0) {
    main.append(h('p', {class: 'muted'}, 'No plugin is loaded.'));
    return;
  }
  main.append(h('div', {id: 'plugins'}, plugins.map((p) => h('article', {class: 'plugin', 'data-plugin': p.name},
    h('h2', {}, p.name, ' ', h('span', {class: 'muted small'}, p.version)),
    h('dl', {class: 'facts'},
      h('dt', {}, 'File'), h('dd', {}, h('code', {}, p.file)),
      h('dt', {}, 'SHA-256'), h('dd', {}, h('code', {class: 'hash'}, p.sha256))),
    h('h3', {}, 'Task types'),
    h('ul', {class: 'types'}, (p.task_type_details || p.task_types || []).map(taskType))))));
}

// A task type: {name, description, params: [...], accepts_other_keys} (task_type_details), or
// only its name.
function taskType(t) {
  if (typeof t === 'string') return h('li', {}, h('code', {}, t));
  const params = t.params || [];
  return h('li', {'data-task-type': t.name}, h('code', {}, t.name),
    t.description ? h('span', {class: 'muted small'}, ` ${t.description}`) : null,
    t.accepts_other_keys ? h('span', {class: 'muted small'}, ' (accepts other keys)') : null,
    params.length ? h('table', {class: 'grid small'},
      h('thead', {}, h('tr', {}, ['Parameter', 'Type', 'Required', 'Default', 'Description'].map((c) => h('th', {scope: 'col'}, c)))),
      h('tbody', {}, params.map((p) => h('tr', {},
        h('td', {}, h('code', {}, p.name)), h('td', {}, p.type || ''), h('td', {}, p.required ? 'yes' : 'no'),
        h('td', {}, p.default === undefined || p.default === null ? '' : h('code', {}, JSON.stringify(p.default))),
        h('td', {}, p.description || '')))))
      : h('span', {class: 'muted small'}, ' (declares no parameters)'));
}
