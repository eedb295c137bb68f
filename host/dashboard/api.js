// The service's JSON API as the page uses it: the token (when the service has one) asked for
// once and kept for the tab, errors as exceptions carrying the API's own message, and
// server-sent events read through fetch (EventSource cannot send the Authorization header).

const TOKEN_KEY = 'flowweaver-token';

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

function headers(extra) {
  const out = Object.assign({}, extra);
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) out.Authorization = `Bearer ${token}`;
  return out;
}

async function errorOf(res) {
  let message = `${res.status} ${res.statusText}`;
  try {
    const body = await res.json();
    if (body && body.error) message = body.error;
  } catch (e) { /* not JSON: keep the status line */ }
  return new ApiError(res.status, message);
}

let asking = null;  // one token dialog at a time, however many requests were refused

// Shows the token dialog; resolves once a token was entered.
function askForToken(rejected) {
  if (asking) return asking;
  const dialog = document.getElementById('token-dialog');
  const form = document.getElementById('token-form');
  const input = document.getElementById('token-input');
  document.getElementById('token-error').textContent =
      rejected ? 'That token was refused; try again.' : '';
  asking = new Promise((resolve) => {
    form.addEventListener('submit', () => {
      sessionStorage.setItem(TOKEN_KEY, input.value);
      input.value = '';
      asking = null;
      resolve();
    }, {once: true});
  });
  dialog.showModal();
  input.focus();
  return asking;
}

// fetch() of an /api path, asking for the token on a 401 and trying again.
async function send(path, options = {}) {
  for (;;) {
    const res = await fetch(path, Object.assign({}, options, {headers: headers(options.headers)}));
    if (res.status !== 401) return res;
    await askForToken(sessionStorage.getItem(TOKEN_KEY) !== null);
  }
}

export async function getJson(path, signal) {
  const res = await send(path, {signal});
  if (!res.ok) throw await errorOf(res);
  return res.json();
}

export async function getText(path, signal) {
  const res = await send(path, {signal});
  if (!res.ok) throw await errorOf(res);
  return res.text();
}

export async function postJson(path, body) {
  const options = {method: 'POST'};
  if (body !== undefined) {
    options.body = JSON.stringify(body);
    options.headers = {'Content-Type': 'application/json'};
  }
  const res = await send(path, options);
  if (!res.ok) throw await errorOf(res);
  return res.json();
}

// Reads the server-sent events of `path`, calling onEvent(name, data) for each, until the
// stream ends (resolves) or `signal` aborts it. onOpen() is called once the response began,
// i.e. once the server has subscribed us.
export async function streamEvents(path, {signal, onOpen, onEvent}) {
  const res = await send(path, {signal, headers: {Accept: 'text/event-stream'}});
  if (!res.ok) throw await errorOf(res);
  if (onOpen) onOpen();
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let name = '';
  let data = [];
  for (;;) {
    const {value, done} = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, {stream: true});
    let end;
    while ((end = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, end).replace(/\r$/, '');
      buffer = buffer.slice(end + 1);
      if (line === '') {
        if (data.length) onEvent(name || 'message', data.join('\n'));
        name = '';
        data = [];
      } else if (line.startsWith('event:')) {
        name = line.slice(6).trim();
      } else if (line.startsWith('data:')) {
        data.push(line.slice(5).replace(/^ /, ''));
      }  // ':' comments (keep-alives) are skipped
    }
  }
}

export function encode(part) {
  return encodeURIComponent(part);
}
