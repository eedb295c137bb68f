// A run: its header and actions, the DAG coloured by state, the task table and the selected
// task, all kept current by the run's server-sent events (GET /api/runs/ID/events): the page
// subscribes, then reads the run once, then applies each event (the whole state of one row)
// over it, so nothing between the two is lost.
import {encode, getJson, postJson, streamEvents} from './api.js';
import {clear, durationBetween, errorBox, formatDuration, formatTime, h, statusBadge} from './dom.js';
import {RunGraph} from './run_graph.js';
import {RunModel} from './run_model.js';
import {TaskPanel} from './task_panel.js';
import {TaskTable} from './task_table.js';

export async function showRun(main, runId, task, signal) {
  const page = new RunPage(main, runId, signal);
  await page.load(task);
  return {onTask: (name) => page.openTask(name)};
}

class RunPage {
  constructor(main, runId, signal) {
    this.main = main;
    this.runId = runId;
    this.signal = signal;
    this.dirty = new Set();
    this.frame = 0;
    this.newRows = false;
  }

  // Subscribe, read, draw; again after an action changed the run (reload) or the stream broke.
  async load(task) {
    if (this.control) this.control.abort();
    const control = new AbortController();
    this.control = control;
    this.signal.addEventListener('abort', () => control.abort(), {once: true});
    const buffered = [];
    let ready = false;
    this.ended = false;
    let subscribed;
    const opened = new Promise((resolve) => { subscribed = resolve; });
    const stream = streamEvents(`/api/runs/${encode(this.runId)}/events`, {
      signal: control.signal,
      onOpen: subscribed,
      onEvent: (name, data) => (ready ? this.apply(name, data) : buffered.push([name, data])),
    });
    stream.then(() => this.streamEnded(control), (e) => this.streamFailed(e, control));
    // Read the run once the stream is open, or anyway if the events cannot be had.
    await Promise.race([opened, stream.catch(() => {})]);
    const run = await getJson(`/api/runs/${encode(this.runId)}`, control.signal);
    this.model = new RunModel(run);
    this.workflow = run.workflow;
    this.draw();
    ready = true;
    for (const [name, data] of buffered) this.apply(name, data);
    this.flush();
    if (run.graph) await this.graph.load(this.workflow, control.signal);
    else this.graph.tooLarge(this.model.tasks.length);
    for (const name of this.model.tasks) this.dirty.add(name);
    this.flush();
    this.openTask(task ?? this.selected ?? null);
  }

  reload() {
    this.load(this.selected).catch((e) => this.failed(e));
  }

  failed(e) {
    if (e.name !== 'AbortError') this.main.append(errorBox(e.message));
  }

  streamEnded(control) {
    // After `end` the server has said all there is: the run is not going on in this service.
    if (control.signal.aborted || this.ended) return;
    setConnection(this.model && this.model.isActive() ? 'reconnecting…' : '');
    // The service went away (a restart) while the run went on: subscribe again.
    if (this.model && this.model.isActive()) setTimeout(() => this.reload(), 2000);
  }

  streamFailed(e, control) {
    if (control.signal.aborted || e.name === 'AbortError') return;
    if (e.status === 404) return;  // no such run: the page says so already
    setConnection(`live updates lost: ${e.message}; retrying`);
    setTimeout(() => { if (!control.signal.aborted) this.reload(); }, 3000);
  }

  apply(name, data) {
    let body;
    try {
      body = JSON.parse(data);
    } catch (e) {
      return;
    }
    if (name === 'task') {
      const known = this.model.rows.has(body.task);
      const row = this.model.put(body);
      if (!known) this.newRows = true;
      this.dirty.add(row.parent || row.task);
      if (row.task === this.panel.name) this.panel.changed(row, this.control.signal);
    } else if (name === 'run') {
      Object.assign(this.model.run, body);
    } else if (name === 'end') {
      this.ended = true;
    }
    this.schedule();
  }

  schedule() {
    if (!this.frame) this.frame = requestAnimationFrame(() => this.flush());
  }

  // Redraws what changed since the last frame: a burst of events costs one paint.
  flush() {
    this.frame = 0;
    for (const name of this.dirty) {
      const row = this.model.rows.get(name);
      if (row) this.graph.update(name, row.status, this.model.itemCount(name));
    }
    this.dirty.clear();
    if (this.newRows) this.table.refresh();
    else this.table.paint();
    this.newRows = false;
    this.drawHeader();
    setConnection(this.model.isActive() ? 'live' : '');
  }

  draw() {
    this.graph = new RunGraph((name) => this.navigate(name));
    this.table = new TaskTable({
      names: () => this.model.tasks,
      row: (n) => this.model.rows.get(n),
      count: (n) => this.model.itemCount(n),
      onOpen: (n) => this.navigate(n),
    });
    this.panel = new TaskPanel(this);
    this.header = h('div', {class: 'run-head'});
    clear(this.main).append(this.header, h('div', {class: 'run-body'}, this.graph.element, this.panel.element),
                            this.table.element);
    this.table.refresh();
    this.drawHeader();
  }

  drawHeader() {
    const run = this.model.run;
    const message = h('span', {class: 'small', role: 'status', id: 'run-message'});
    const active = this.model.isActive();
    const buttons = [];
    if (active) {
      buttons.push(h('button', {type: 'button', 'data-action': 'cancel', onclick: () => this.act(async () => {
        if (!confirm(`Cancel run ${run.run_id}?`)) return;
        await postJson(`/api/runs/${encode(run.run_id)}/cancel`);
      }, message)}, 'Cancel run'));
    } else {
      const again = run.status === 'COMPLETED' || run.status === 'CANCELLED';
      buttons.push(h('button', {type: 'button', 'data-action': 'rerun', onclick: () => this.act(async () => {
        const started = await postJson(`/api/workflows/${encode(run.workflow)}/runs`, {});
        if (started.run_id === this.runId) this.reload();
        else location.hash = `#/runs/${encode(started.run_id)}`;
      }, message)}, again ? 'Run again' : 'Resume run'));
    }
    this.header.replaceChildren(
      h('nav', {class: 'crumbs', 'aria-label': 'Breadcrumbs'},
        h('a', {href: '#/'}, 'Workflows'), ' / ',
        h('a', {href: `#/workflows/${encode(run.workflow)}`}, run.workflow), ' / ', 'run'),
      h('h1', {}, h('span', {id: 'run-status'}, statusBadge(run.status)), ' ', h('code', {}, run.run_id)),
      h('dl', {class: 'facts'},
        h('dt', {}, 'Started'), h('dd', {}, formatTime(run.started_at)),
        h('dt', {}, 'Duration'), h('dd', {}, formatDuration(durationBetween(run.started_at, run.finished_at))),
        run.params && Object.keys(run.params).length
            ? [h('dt', {}, 'Params'), h('dd', {}, h('code', {}, JSON.stringify(run.params)))] : null,
        run.parent ? [h('dt', {}, 'Parent'), h('dd', {}, h('a', {href: `#/runs/${encode(run.parent.run_id)}`},
                                                          `${run.parent.workflow} / ${run.parent.task}`))] : null,
        (run.host_deaths || []).length ? [h('dt', {}, 'Host deaths'), h('dd', {}, run.host_deaths.join('; '))] : null),
      h('div', {class: 'buttons left'}, buttons, message));
  }

  async act(action, message) {
    try {
      await action();
    } catch (e) {
      message.textContent = e.message;
    }
  }

  navigate(name) {
    location.hash = `#/runs/${encode(this.runId)}/tasks/${encode(name)}`;
  }

  openTask(name) {
    this.selected = name;
    this.graph.select(name);
    if (!name) {
      this.panel.close();
      return;
    }
    this.panel.show(name, this.control.signal).then(() => {
      const title = document.getElementById('task-title');
      if (title) title.focus();
    }, (e) => this.failed(e));
  }
}

function setConnection(text) {
  document.getElementById('connection').textContent = text;
}
