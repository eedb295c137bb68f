// One task of a run: its state, its items (foreach/matrix), attempts, output and log (followed
// live while the attempt runs), and the repairs: reset (run it and its dependents again) and
// mark done.
import {encode, getJson, postJson, streamEvents} from './api.js';
import {durationBetween, formatDuration, formatTime, h, showForm, statusBadge} from './dom.js';

export class TaskPanel {
  // page: {runId, workflow, model, reload(), openTask(name)}
  constructor(page) {
    this.page = page;
    this.name = null;
    this.logControl = null;
    this.element = h('section', {class: 'panel', id: 'task-panel', 'aria-live': 'polite', hidden: true});
  }

  close() {
    this.stopLog();
    this.name = null;
    this.element.hidden = true;
  }

  stopLog() {
    if (this.logControl) this.logControl.abort();
    this.logControl = null;
  }

  async show(name, signal) {
    this.stopLog();
    this.name = name;
    const row = this.page.model.rows.get(name);
    this.element.hidden = false;
    if (!row) {
      this.element.replaceChildren(h('p', {class: 'error'}, `This run has no task '${name}'.`));
      return;
    }
    this.element.replaceChildren(
        h('h2', {id: 'task-title', tabindex: '-1'}, name), h('p', {class: 'muted'}, 'Loading…'));
    // The run's JSON has the attempts and outputs; the events carry states only.
    const run = await getJson(`/api/runs/${encode(this.page.runId)}`, signal);
    if (this.name !== name) return;
    const full = (run.tasks || []).find((t) => t.task === name) || row;
    this.render(name, full, signal);
  }

  // The row changed while shown (an event): redraw when its status or attempt moved on.
  changed(row, signal) {
    if (row.task !== this.name) return;
    const key = `${row.status}/${row.attempts ?? row.attempt}`;
    if (key === this.shownKey) return;
    this.show(row.task, signal);
  }

  render(name, task, signal) {
    this.shownKey = `${task.status}/${task.attempts ?? task.attempt}`;
    const items = this.page.model.items.get(name) || [];
    const sections = [
      h('div', {class: 'panel-head'},
        h('h2', {id: 'task-title', tabindex: '-1'}, name), statusBadge(task.status),
        h('a', {href: `#/runs/${encode(this.page.runId)}`, class: 'close', 'aria-label': 'Close the task'}, '×')),
      task.error ? h('pre', {class: 'error', id: 'task-error'}, task.error) : null,
      this.actions(name, task),
      items.length ? this.itemList(items) : null,
      this.attempts(task),
      h('h3', {}, 'Output'),
      h('pre', {class: 'json', id: 'task-output'},
        task.output === null || task.output === undefined ? '—' : JSON.stringify(task.output, null, 2)),
    ];
    const log = this.logSection(name, task, signal);
    this.element.replaceChildren(...sections.filter(Boolean), log);
  }

  itemList(items) {
    const model = this.page.model;
    const shown = items.slice(0, 500);
    return h('div', {},
      h('h3', {}, `Items (${items.length})`),
      h('ul', {class: 'items'}, shown.map((n) => h('li', {},
        h('a', {href: `#/runs/${encode(this.page.runId)}/tasks/${encode(n)}`}, n), ' ',
        statusBadge(model.rows.get(n).status)))),
      items.length > shown.length
          ? h('p', {class: 'muted small'}, `The first ${shown.length}; the task table lists all (filter by “${this.name}[”).`)
          : null);
  }

  attempts(task) {
    const history = task.attempt_history || [];
    if (!history.length) return h('p', {class: 'muted'}, 'No attempt yet.');
    return h('div', {},
      h('h3', {}, 'Attempts'),
      h('table', {class: 'grid small', id: 'task-attempts'},
        h('thead', {}, h('tr', {}, ['#', 'Status', 'Started', 'Duration', 'Error'].map((t) => h('th', {scope: 'col'}, t)))),
        h('tbody', {}, history.map((a) => h('tr', {},
          h('td', {}, a.attempt), h('td', {}, statusBadge(a.status)), h('td', {}, formatTime(a.started_at)),
          h('td', {}, formatDuration(a.duration_ms ?? durationBetween(a.started_at, a.finished_at))),
          h('td', {class: 'error-cell'}, a.error || ''))))));
  }

  actions(name, task) {
    const message = h('span', {class: 'small', role: 'status'});
    const busy = this.page.model.isActive();
    const reset = h('button', {type: 'button', 'data-action': 'reset', disabled: busy,
                               title: busy ? 'The run is active: cancel it first' : null,
      onclick: async () => {
        if (!confirm(`Run '${name}' and every task after it again?`)) return;
        try {
          await postJson(`/api/runs/${encode(this.page.runId)}/tasks/${encode(name)}/reset`);
          await postJson(`/api/workflows/${encode(this.page.workflow)}/runs`, {});
          this.page.reload();
        } catch (e) {
          message.textContent = e.message;
        }
      }}, 'Reset and re-run');
    const mark = h('button', {type: 'button', 'data-action': 'mark', disabled: busy || task.status === 'COMPLETED',
      onclick: () => this.markForm(name)}, 'Mark done…');
    return h('div', {class: 'buttons left'}, reset, mark, message);
  }

  markForm(name) {
    const output = h('textarea', {id: 'mark-output', rows: 4}, 'null');
    showForm({
      title: `Mark '${name}' COMPLETED`,
      body: [h('p', {}, 'Its dependents will use this output, as if it had run.'),
             h('label', {for: 'mark-output'}, 'Output (JSON)'), output],
      submitLabel: 'Mark COMPLETED',
      onSubmit: async () => {
        let value;
        try {
          value = JSON.parse(output.value);
        } catch (e) {
          throw new Error(`The output is not valid JSON: ${e.message}`);
        }
        await postJson(`/api/runs/${encode(this.page.runId)}/tasks/${encode(name)}/mark`,
                       {status: 'COMPLETED', output: value});
        this.page.reload();
      },
    });
  }

  // The latest attempt's log, followed while it runs (the server ends the stream when the
  // attempt is over); older attempts on request.
  logSection(name, task, signal) {
    const attempts = task.attempts ?? task.attempt ?? 0;
    const pre = h('pre', {class: 'log', id: 'task-log', tabindex: '0', 'aria-label': 'Task log'});
    const state = h('span', {class: 'muted small', role: 'status'});
    const choose = h('select', {'aria-label': 'Attempt', onchange: () => this.follow(name, Number(choose.value), pre, state, signal)},
      Array.from({length: attempts}, (_, i) => h('option', {value: i + 1, selected: i + 1 === attempts}, `attempt ${i + 1}`)));
    if (attempts > 0) this.follow(name, attempts, pre, state, signal);
    else pre.textContent = 'No attempt has run yet.';
    return h('div', {}, h('h3', {}, 'Log ', attempts > 1 ? choose : null, ' ', state), pre);
  }

  follow(name, attempt, pre, state, signal) {
    this.stopLog();
    const control = new AbortController();
    this.logControl = control;
    signal.addEventListener('abort', () => control.abort(), {once: true});
    pre.textContent = '';
    state.textContent = 'following…';
    const path = `/api/runs/${encode(this.page.runId)}/tasks/${encode(name)}/log?attempt=${attempt}&follow=1`;
    streamEvents(path, {signal: control.signal, onEvent: (event, data) => {
      if (event === 'log') {
        const atBottom = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4;
        pre.append(`${data}\n`);
        if (atBottom) pre.scrollTop = pre.scrollHeight;
      } else if (event === 'end') {
        state.textContent = '';
        if (!pre.textContent) pre.textContent = '(nothing logged)';
      }
    }}).catch((e) => {
      if (e.name !== 'AbortError') state.textContent = e.message;
    });
  }
}
