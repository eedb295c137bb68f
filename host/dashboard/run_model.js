// A run as the page holds it: its rows by name, kept current by the run's events. A row is a
// manifest task ("load") or one foreach/matrix item ("convert[3]"), which the page shows under
// its task.

const DONE = new Set(['COMPLETED', 'FAILED', 'SKIPPED']);

export class RunModel {
  constructor(run) {
    this.run = run;
    this.rows = new Map();   // name -> row
    this.tasks = [];         // manifest tasks' names, in the order the run lists them
    this.items = new Map();  // task name -> [item names]
    for (const row of run.tasks || []) this.put(row);
    delete this.run.tasks;
  }

  // Takes a row from the run's JSON or a `task` event (the whole state of that row).
  put(row) {
    const name = row.task;
    const known = this.rows.get(name);
    if (known) {
      Object.assign(known, row);
      return known;
    }
    const parent = row.parent_task || parentOf(name);
    const fresh = Object.assign({parent}, row);
    this.rows.set(name, fresh);
    if (parent) {
      if (!this.items.has(parent)) this.items.set(parent, []);
      this.items.get(parent).push(name);
    } else {
      this.tasks.push(name);
    }
    return fresh;
  }

  // "3/10" for a foreach/matrix task: items done (completed, failed or skipped) of all.
  itemCount(task) {
    const names = this.items.get(task);
    if (!names) return null;
    let done = 0;
    for (const n of names) if (DONE.has(this.rows.get(n).status)) ++done;
    return {done, total: names.length};
  }

  isActive() {
    return this.run.status === 'RUNNING' || this.run.status === 'PENDING';
  }
}

// "convert[3]" -> "convert"; a manifest task's name has no '['.
export function parentOf(name) {
  const open = name.indexOf('[');
  return open > 0 && name.endsWith(']') ? name.slice(0, open) : null;
}
