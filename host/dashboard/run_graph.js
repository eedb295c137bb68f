// The run's DAG: the SVG Graphviz lays out on the server (GET /api/workflows/NAME/graph.svg, one
// node per manifest task, id "task-NAME"), coloured here by each task's state. Every node also
// carries its state's symbol and, for foreach/matrix tasks, done/total, so colour is never the
// only sign; nodes are focusable and open their task.
import {getText, encode} from './api.js';
import {h} from './dom.js';

const SVG_NS = 'http://www.w3.org/2000/svg';
const SYMBOLS = {COMPLETED: '✓', FAILED: '✗', RUNNING: '▶', PENDING: '○', SKIPPED: '↷',
                 INTERRUPTED: '⏸'};

export class RunGraph {
  constructor(onOpen) {
    this.onOpen = onOpen;
    this.nodes = new Map();  // task name -> {g, mark}
    this.element = h('section', {class: 'graph', 'aria-label': 'Task graph'},
                     h('p', {class: 'muted'}, 'Drawing the graph…'));
  }

  async load(workflow, signal) {
    let text;
    try {
      text = await getText(`/api/workflows/${encode(workflow)}/graph.svg`, signal);
    } catch (e) {
      if (e.name === 'AbortError') throw e;
      this.element.replaceChildren(h('p', {class: 'muted', id: 'graph-note'}, `No graph: ${e.message}`));
      return;
    }
    const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
    const svg = doc.documentElement;
    if (svg.nodeName !== 'svg') {
      this.element.replaceChildren(h('p', {class: 'error'}, 'The graph could not be read.'));
      return;
    }
    const imported = document.importNode(svg, true);
    // Shrinks to the page's width, never grows past Graphviz's own size; the viewBox keeps the
    // proportions.
    imported.style.maxWidth = imported.getAttribute('width') || '100%';
    imported.removeAttribute('width');
    imported.removeAttribute('height');
    // Room above the top row for the marks drawn above each node (addMark).
    const box = imported.viewBox.baseVal;
    if (box && box.height) {
      imported.setAttribute('viewBox', `${box.x} ${box.y - 14} ${box.width} ${box.height + 14}`);
    }
    imported.setAttribute('role', 'group');
    imported.setAttribute('aria-label', 'Tasks and their dependencies');
    this.element.replaceChildren(h('div', {class: 'graph-scroll'}, imported));
    for (const g of imported.querySelectorAll('g.node[id^="task-"]')) {
      const name = g.id.slice(5);
      const mark = this.addMark(g);
      g.setAttribute('tabindex', '0');
      g.setAttribute('role', 'button');
      g.addEventListener('click', () => this.onOpen(name));
      g.addEventListener('keydown', (e) => {
        if (e.key === 'Enter' || e.key === ' ') {
          e.preventDefault();
          this.onOpen(name);
        }
      });
      this.nodes.set(name, {g, mark});
    }
  }

  // The service draws workflows up to a size only (GET /api/workflows gives `graph`).
  tooLarge(tasks) {
    this.element.replaceChildren(h('p', {class: 'muted', id: 'graph-note'},
        `The graph is not drawn for ${tasks} tasks; the task table lists them.`));
  }

  // A text under the node's label for the symbol and count.
  addMark(g) {
    const shape = g.querySelector('polygon, ellipse, path');
    const box = shape ? shape.getBBox() : g.getBBox();
    const mark = document.createElementNS(SVG_NS, 'text');
    mark.setAttribute('class', 'mark');
    mark.setAttribute('x', box.x + box.width);  // just above the top right corner
    mark.setAttribute('y', box.y - 3);
    mark.setAttribute('text-anchor', 'end');
    g.append(mark);
    return mark;
  }

  update(name, status, count) {
    const node = this.nodes.get(name);
    if (!node) return;
    const s = status || 'PENDING';
    node.g.dataset.status = s;
    node.mark.textContent = `${SYMBOLS[s] || ''}${count ? ` ${count.done}/${count.total}` : ''}`;
    node.g.setAttribute('aria-label', `${name}: ${s}${count ? `, ${count.done} of ${count.total} items done` : ''}`);
  }

  select(name) {
    for (const [n, node] of this.nodes) node.g.classList.toggle('selected', n === name);
  }
}
