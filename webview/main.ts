// Entry point of the Context webview: validates every message from the host
// (zod), draws the state it is sent, and posts actions back. The compact form
// is built once so typing is never interrupted by a state update; the other
// sections are redrawn, keeping keyboard focus where it was.
import { renderChart } from './chart';
import { h } from './dom';
import { renderHistory } from './history';
import { renderMeter } from './meter';
import { renderPins } from './pins';
import { ContextViewStateSchema, HostToWebviewSchema, type ContextViewState, type HostToWebview } from './protocol';
import { UiStateStore, type VsCodeApi } from './uiState';

declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const ui = new UiStateStore(vscode);
const root = document.getElementById('root') ?? document.body;

// --- layout (built once) ---
const engineBanner = h('div', { class: 'banner', role: 'status', hidden: true });
const picker = h('select', { id: 'session-picker', 'data-testid': 'session-picker' });
const pickerRow = h('div', { class: 'row' }, h('label', { for: 'session-picker' }, 'Session'), picker);
const instructions = h('textarea', {
  id: 'instructions',
  rows: 2,
  placeholder: 'Optional: what the summary should focus on',
  'data-testid': 'instructions',
});
const compactButton = h('button', { type: 'button', 'data-testid': 'compact-now' }, 'Compact Now');
const notice = h('p', { class: 'notice', role: 'status', 'data-testid': 'notice' });
const actions = h(
  'section',
  { class: 'actions', 'aria-label': 'Actions' },
  pickerRow,
  h('label', { for: 'instructions', class: 'block-label' }, 'Instructions for the summary'),
  instructions,
  h('div', { class: 'buttons' }, compactButton),
  notice,
);
const dynamic = h('div', { class: 'dynamic' });
root.replaceChildren(engineBanner, dynamic, actions);

instructions.value = ui.value.instructions;
instructions.addEventListener('input', () => ui.update({ instructions: instructions.value }));
compactButton.addEventListener('click', () => {
  vscode.postMessage({ type: 'compact', instructions: instructions.value });
  notice.textContent = 'Compacting…';
});
instructions.addEventListener('keydown', (e) => {
  if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) compactButton.click();
});
picker.addEventListener('change', () => {
  if (picker.value) vscode.postMessage({ type: 'selectSession', sessionId: picker.value });
});

let current: ContextViewState | undefined;

function renderPicker(state: ContextViewState): void {
  const options = state.sessions.map((s) => h('option', { value: s.id }, s.title));
  if (!state.session) options.unshift(h('option', { value: '' }, state.sessions.length ? 'Choose a session…' : 'No sessions yet'));
  picker.replaceChildren(...options);
  picker.value = state.session?.id ?? '';
  picker.disabled = state.sessions.length === 0;
}

function render(state: ContextViewState): void {
  current = state;
  const focusKey = document.activeElement instanceof Element ? document.activeElement.getAttribute('data-focus-key') : null;

  engineBanner.hidden = state.engine.state !== 'unavailable';
  engineBanner.textContent = `The compaction engine is unavailable${state.engine.reason ? `: ${state.engine.reason}` : ''}. Numbers are estimates until it is back.`;
  renderPicker(state);
  compactButton.disabled = state.busy || !state.session;
  compactButton.textContent = state.busy ? 'Working…' : 'Compact Now';

  const session = state.session;
  if (!session) {
    dynamic.replaceChildren(h('p', { class: 'empty' }, 'No active session. Chat with @compactor in the Chat view, or choose a session below.'));
  } else {
    dynamic.replaceChildren(
      renderMeter(session.meter),
      renderChart(session.chart, root.clientWidth - 4),
      ...(session.pins?.length ? [renderPins(session.pins, { busy: state.busy, onUnpin: (p) => vscode.postMessage({ type: 'unpin', sessionId: session.id, messageId: p.messageId }) })] : []),
      renderHistory(session.history, session.totals, state.overall, {
        busy: state.busy,
        isExpanded: (id) => ui.value.expanded.includes(id),
        onToggle: (id, open) => ui.setExpanded(id, open),
        onRevert: (e) => vscode.postMessage({ type: 'revert', sessionId: session.id, compactionId: e.id }),
        onOpenSummary: (e) => vscode.postMessage({ type: 'openSummary', sessionId: session.id, compactionId: e.id }),
        onOpenBeforeAfter: (e) => vscode.postMessage({ type: 'openBeforeAfter', sessionId: session.id, compactionId: e.id }),
      }, session.idle),
    );
  }
  if (focusKey) {
    const again = document.querySelector<HTMLElement | SVGElement>(`[data-focus-key="${CSS.escape(focusKey)}"]`);
    again?.focus();
  }
}

function handle(message: HostToWebview): void {
  switch (message.type) {
    case 'state':
      ui.update({ last: message.state });
      render(message.state);
      return;
    case 'notice':
      notice.textContent = message.text;
      notice.className = `notice notice-${message.level}`;
      return;
    default: {
      const unreachable: never = message;
      throw new Error(`unhandled message ${JSON.stringify(unreachable)}`);
    }
  }
}

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const parsed = HostToWebviewSchema.safeParse(event.data);
  if (!parsed.success) {
    // Rejected and reported; the view keeps showing the last good state.
    vscode.postMessage({ type: 'invalidMessage', error: parsed.error.message.slice(0, 2000) });
    return;
  }
  handle(parsed.data);
});

// The chart is drawn at the view's width; redraw when it changes.
let lastWidth = root.clientWidth;
new ResizeObserver(() => {
  if (current && Math.abs(root.clientWidth - lastWidth) > 8) {
    lastWidth = root.clientWidth;
    render(current);
  }
}).observe(root);

// First paint: the state embedded in the page, else the last one kept by VS Code.
function initialState(): ContextViewState | undefined {
  const text = document.getElementById('initial-state')?.textContent ?? 'null';
  try {
    const parsed = ContextViewStateSchema.safeParse(JSON.parse(text));
    if (parsed.success) return parsed.data;
  } catch {
    // fall through to the kept state
  }
  return ui.value.last;
}
const initial = initialState();
if (initial) render(initial);
vscode.postMessage({ type: 'ready' });
