// The task table of a run: only the rows in view are in the document, so that a run of 10,000
// tasks opens and updates as fast as one of ten. It is one focusable list driven by the keys
// (arrows, Page Up/Down, Home/End, Enter), which names the row in focus to screen readers
// through aria-activedescendant.
import {durationBetween, formatDuration, formatTime, h, statusBadge} from './dom.js';

const ROW_HEIGHT = 32;  // px; app.css .vrow has the same
const OVERSCAN = 8;

export class TaskTable {
  // names(): the names to list, in order; row(name): its row; onOpen(name): a row was chosen.
  constructor({names, row, count, onOpen}) {
    this.names = names;
    this.row = row;
    this.count = count;
    this.onOpen = onOpen;
    this.filter = '';
    this.status = '';
    this.shown = [];
    this.active = 0;
    this.body = h('div', {class: 'vbody'});
    this.viewport = h('div', {class: 'vviewport', tabindex: '0', role: 'grid', 'aria-rowcount': 0,
                               'aria-label': 'Tasks', id: 'task-table',
                               onscroll: () => this.paint(), onkeydown: (e) => this.key(e)},
                      this.body);
    this.viewport.addEventListener('click', (e) => {
      const el = e.target.closest('[data-task]');
      if (!el) return;
      this.active = Number(el.dataset.index);
      this.onOpen(el.dataset.task);
    });
    const search = h('input', {type: 'search', placeholder: 'Filter by name', 'aria-label': 'Filter tasks by name',
                               oninput: (e) => { this.filter = e.target.value; this.refresh(); }});
    const statuses = ['', 'PENDING', 'RUNNING', 'COMPLETED', 'FAILED', 'SKIPPED', 'INTERRUPTED'];
    const select = h('select', {'aria-label': 'Show tasks with status',
                                onchange: (e) => { this.status = e.target.value; this.refresh(); }},
                     statuses.map((s) => h('option', {value: s}, s || 'any status')));
    this.summary = h('span', {class: 'muted small', role: 'status'});
    this.element = h('section', {class: 'tasks', 'aria-label': 'Task table'},
                     h('div', {class: 'toolbar'}, search, select, this.summary),
                     h('div', {class: 'vhead', role: 'presentation'},
                       ['Task', 'Status', 'Attempts', 'Started', 'Duration', 'Error'].map((t) => h('span', {}, t))),
                     this.viewport);
  }

  // The list changed (a filter, a new row): recompute which rows are shown.
  refresh() {
    const needle = this.filter.toLowerCase();
    this.shown = this.names().filter((n) => (!needle || n.toLowerCase().includes(needle)) &&
                                            (!this.status || this.row(n).status === this.status));
    this.body.style.height = `${this.shown.length * ROW_HEIGHT}px`;
    this.viewport.setAttribute('aria-rowcount', this.shown.length);
    this.summary.textContent = `${this.shown.length} shown`;
    this.active = Math.min(this.active, Math.max(0, this.shown.length - 1));
    this.paint();
  }

  // Draws the rows in view (cheap: a screenful), e.g. after rows changed status.
  paint() {
    const top = this.viewport.scrollTop;
    const first = Math.max(0, Math.floor(top / ROW_HEIGHT) - OVERSCAN);
    const last = Math.min(this.shown.length,
                          Math.ceil((top + this.viewport.clientHeight) / ROW_HEIGHT) + OVERSCAN);
    const rows = [];
    for (let i = first; i < last; ++i) rows.push(this.rowElement(this.shown[i], i));
    this.body.replaceChildren(...rows);
    if (this.shown.length) {
      this.viewport.setAttribute('aria-activedescendant', `task-row-${this.active}`);
    } else {
      this.viewport.removeAttribute('aria-activedescendant');
    }
  }

  rowElement(name, index) {
    const r = this.row(name);
    const count = this.count(name);
    return h('div', {class: `vrow${index === this.active ? ' active' : ''}`, role: 'row',
                     id: `task-row-${index}`, 'aria-rowindex': index + 1, 'data-task': name,
                     'data-index': index, style: `top:${index * ROW_HEIGHT}px`},
      h('span', {role: 'gridcell', class: 'name'}, name,
        count ? h('span', {class: 'count'}, ` ${count.done}/${count.total}`) : null),
      h('span', {role: 'gridcell'}, statusBadge(r.status)),
      h('span', {role: 'gridcell'}, r.attempts ?? r.attempt ?? 0),
      h('span', {role: 'gridcell'}, formatTime(r.started_at)),
      h('span', {role: 'gridcell'}, r.started_at ? formatDuration(durationBetween(r.started_at, r.finished_at)) : '—'),
      h('span', {role: 'gridcell', class: 'error-cell', title: r.error || ''}, r.error || ''));
  }

  key(e) {
    const page = Math.max(1, Math.floor(this.viewport.clientHeight / ROW_HEIGHT) - 1);
    const moves = {ArrowDown: 1, ArrowUp: -1, PageDown: page, PageUp: -page,
                   Home: -Infinity, End: Infinity};
    if (e.key === 'Enter' && this.shown.length) {
      this.onOpen(this.shown[this.active]);
    } else if (e.key in moves) {
      this.active = Math.max(0, Math.min(this.shown.length - 1, this.active + moves[e.key]));
      const y = this.active * ROW_HEIGHT;
      if (y < this.viewport.scrollTop) this.viewport.scrollTop = y;
      else if (y + ROW_HEIGHT > this.viewport.scrollTop + this.viewport.clientHeight) {
        this.viewport.scrollTop = y + ROW_HEIGHT - this.viewport.clientHeight;
      }
      this.paint();
    } else {
      return;
    }
    e.preventDefault();
  }
}
