// The "Run" form: built from the workflow's declared params (types, enums, defaults); the
// service checks them again and its message is shown when it refuses.
import {encode, postJson} from './api.js';
import {h, showForm} from './dom.js';

export function openRunDialog(workflow) {
  const fields = (workflow.params || []).map(field);
  showForm({
    title: `Run ${workflow.name}`,
    className: 'run-dialog',
    body: fields.length ? fields.map((f) => f.element)
                        : h('p', {class: 'muted'}, 'This workflow takes no parameters.'),
    submitLabel: 'Start run',
    onSubmit: async () => {
      const params = {};
      for (const f of fields) {
        const value = f.value();
        if (value !== undefined) params[f.name] = value;
      }
      const started = await postJson(`/api/workflows/${encode(workflow.name)}/runs`, {params});
      location.hash = `#/runs/${encode(started.run_id)}`;
    },
  });
}

// One parameter's input and how to read it back; undefined leaves the default to the service.
function field(p) {
  const id = `param-${p.name}`;
  const hint = [p.type, p.required ? 'required' : null, p.description || null].filter(Boolean).join(' · ');
  let input;
  let value;
  if (p.enum && p.enum.length) {
    input = h('select', {id, name: p.name, required: p.required},
              p.required && p.default === null ? h('option', {value: ''}, 'choose…') : null,
              p.enum.map((v) => h('option', {value: JSON.stringify(v), selected: v === p.default}, String(v))));
    value = () => (input.value === '' ? undefined : JSON.parse(input.value));
  } else if (p.type === 'boolean') {
    input = h('input', {id, name: p.name, type: 'checkbox', checked: p.default === true});
    value = () => input.checked;
  } else if (p.type === 'integer' || p.type === 'number') {
    input = h('input', {id, name: p.name, type: 'number', step: p.type === 'integer' ? '1' : 'any',
                        required: p.required, value: p.default ?? null});
    value = () => (input.value === '' ? undefined : Number(input.value));
  } else if (p.type === 'string') {
    input = h('input', {id, name: p.name, type: 'text', required: p.required, value: p.default ?? null});
    value = () => (input.value === '' && !p.required ? undefined : input.value);
  } else {  // lists and objects: JSON
    input = h('textarea', {id, name: p.name, rows: 3, required: p.required},
              p.default === null || p.default === undefined ? '' : JSON.stringify(p.default));
    value = () => {
      if (input.value.trim() === '') return undefined;
      try {
        return JSON.parse(input.value);
      } catch (e) {
        throw new Error(`${p.name}: not valid JSON (${e.message})`);
      }
    };
  }
  return {name: p.name, value,
          element: h('div', {class: 'field'}, h('label', {for: id}, p.name), input,
                     h('div', {class: 'muted small'}, hint))};
}
