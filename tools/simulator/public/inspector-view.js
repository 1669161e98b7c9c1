import { api, el, formatSeconds } from './dom.js';

// The selected customer's chat machine, live: the worker reports each step on NATS (INSPECT=1),
// the simulator keeps the recent ones, and this draws the machine's diagram with the current
// state highlighted, and the trail of the last steps.

const TRAIL = 15;
/** Slightly under natural size: labels stay readable and more of the machine fits the panel. */
const DIAGRAM_SCALE = 0.8;

/** `{readings: {meter: 'askValue'}}` → `readings.meter.askValue` (parallel regions joined by commas). */
export function stateLabel(value) {
  if (typeof value === 'string') return value;
  if (typeof value !== 'object' || value === null) return '—';
  return Object.entries(value)
    .map(([name, child]) => `${name}.${stateLabel(child)}`)
    .join(', ');
}

const latestState = (reports) => (reports.findLast((r) => r.type === '@xstate.snapshot') ?? reports.at(-1))?.state;

/** `xstate.done.actor.0.chat.readings.submitting` → `done: submitting`, as the diagram labels it. */
const eventLabel = (type) =>
  (type ?? '').replace(/^xstate\.(done|error)\.actor\.(.*)$/, (_, kind, id) => `${kind}: ${id.split('.').at(-1)}`);

/** The worker starts and stops the chat's actor on every turn: those are not steps of the dialogue. */
const isStep = (report) =>
  report.type === '@xstate.snapshot' && report.event !== 'xstate.init' && report.event !== 'xstate.stop';

/** Scrolls the diagram panel, and nothing around it, so the current state is in the middle. */
function centreOn(node) {
  if (!node) return;
  const frame = node.closest('.diagram');
  const box = node.getBoundingClientRect();
  const view = frame.getBoundingClientRect();
  frame.scrollLeft += box.left - view.left - (view.width - box.width) / 2;
  frame.scrollTop += box.top - view.top - (view.height - box.height) / 2;
}

export function inspectorPanel({ stateLine, diagram, trail, scopeButtons }) {
  let scope = 'section';
  let shownKey = '';
  let rendering = Promise.resolve();
  let renderCount = 0;
  let current;

  for (const button of scopeButtons) {
    button.addEventListener('click', () => {
      scope = button.dataset.scope;
      for (const other of scopeButtons) other.classList.toggle('active', other === button);
      if (current) show(current);
    });
  }

  async function draw(state) {
    const view = await api(
      `/api/diagram?scope=${scope}${state === undefined ? '' : `&state=${encodeURIComponent(JSON.stringify(state))}`}`,
    );
    if (!window.mermaid) {
      diagram.replaceChildren(
        el('p', { class: 'empty' }, 'Mermaid не загружен (npm install): текст диаграммы:'),
        el('pre', {}, view.mermaid),
      );
      return;
    }
    const { svg } = await window.mermaid.render(`machine-diagram-${++renderCount}`, view.mermaid);
    diagram.innerHTML = svg;
    // Mermaid fits the drawing to the panel, too small to read for a big machine: near natural size, scrolled.
    const drawing = diagram.querySelector('svg');
    const naturalWidth = drawing?.viewBox?.baseVal?.width;
    if (naturalWidth)
      Object.assign(drawing.style, { width: `${Math.round(naturalWidth * DIAGRAM_SCALE)}px`, maxWidth: 'none' });
    diagram.dataset.current = view.current.join(' ');
    centreOn(diagram.querySelector('.highlight'));
  }

  /** Shows a customer's reports; the diagram is redrawn only when the state or the scope changed. */
  function show(customer) {
    current = customer;
    const reports = customer.reports;
    const state = latestState(reports);
    const steps = reports.filter(isStep);
    const cause = steps.at(-1)?.event;
    stateLine.replaceChildren(
      ...(reports.length > 0
        ? [
            el('span', { class: 'label' }, 'Состояние '),
            el('code', { class: 'state', id: 'current-state' }, stateLabel(state)),
            cause ? el('span', { class: 'event' }, ` после ${eventLabel(cause)}`) : null,
          ]
        : ['Ждём первого хода диалога… (worker запущен с INSPECT=1?)']),
    );
    trail.replaceChildren(
      ...steps
        .slice(-TRAIL)
        .reverse()
        .map((r) =>
          el(
            'li',
            {},
            el('span', { class: 'at' }, formatSeconds(r.at)),
            el('span', { class: 'ev' }, eventLabel(r.event)),
            ' → ',
            el('code', {}, stateLabel(r.state)),
          ),
        ),
    );
    const key = JSON.stringify([state ?? null, scope]);
    if (key === shownKey) return;
    shownKey = key;
    rendering = rendering
      .then(() => (shownKey === key ? draw(state) : undefined))
      .catch((error) => diagram.replaceChildren(el('p', { class: 'empty' }, `Диаграмма недоступна: ${error.message}`)));
  }

  /** Fetches the customer's new reports; true when there were any. */
  async function poll(customer) {
    const fresh = await api(
      `/api/customers/${encodeURIComponent(customer.id)}/inspection?after=${customer.inspectAfter}`,
    );
    if (fresh.length === 0) return false;
    customer.inspectAfter = fresh.at(-1).n;
    customer.reports.push(...fresh);
    customer.reports.splice(0, Math.max(0, customer.reports.length - 100));
    return true;
  }

  return { show, poll };
}
