// The session's pins: messages compaction keeps verbatim, each with its token
// cost and an Unpin button. A preview is message text: shown with textContent.
import { exact, h } from './dom';
import type { PinItem } from './protocol';

export interface PinsHandlers {
  onUnpin(pin: PinItem): void;
  busy: boolean;
}

export function renderPins(pins: readonly PinItem[], handlers: PinsHandlers): HTMLElement {
  const section = h('section', { class: 'pins', 'aria-labelledby': 'pins-title', 'data-testid': 'pins' }, h('h2', { id: 'pins-title' }, 'Pinned'));
  const total = pins.reduce((s, p) => s + p.tokens, 0);
  section.append(h('p', { class: 'muted' }, `${pins.length} message${pins.length === 1 ? '' : 's'} kept verbatim through every compaction · ${exact(total)} tokens`));
  const list = h('ul', { class: 'pin-list' });
  for (const p of pins) {
    const unpin = h('button', { class: 'secondary', type: 'button', 'data-testid': 'unpin', 'data-focus-key': `unpin-${p.messageId}`, disabled: handlers.busy }, 'Unpin');
    unpin.addEventListener('click', () => handlers.onUnpin(p));
    const text = h('span', { class: 'pin-preview', title: p.preview });
    text.textContent = p.preview;
    list.append(h('li', { class: 'pin', 'data-message-id': p.messageId, 'data-testid': 'pin' }, h('span', { class: 'pin-role muted' }, p.role), text, h('span', { class: 'pin-tokens muted' }, `${exact(p.tokens)} tok`), unpin));
  }
  section.append(list);
  return section;
}
