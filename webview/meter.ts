// The context meter: one bar of the usage categories, free space and the
// output reserve, with the warn and auto-compact levels marked. Every segment
// is focusable and names its exact numbers (aria-label, tooltip, and the detail
// line under the bar on hover/focus). The headline is the gauge's text.
import { exact, h } from './dom';
import type { Meter } from './protocol';

const LEVEL_TEXT: Record<Meter['level'], string> = {
  ok: 'OK',
  warn: 'Warn level reached',
  auto: 'Auto-compact level reached',
  over: 'Over the window',
};

function segmentText(meter: Meter, seg: Meter['segments'][number]): string {
  const ofWindow = meter.effectiveWindow > 0 ? ` (${((seg.tokens / meter.effectiveWindow) * 100).toFixed(1)}% of the effective window)` : '';
  return `${seg.label}: ${exact(seg.tokens)} tokens${seg.category === 'reservedOutput' ? '' : ofWindow}`;
}

export function renderMeter(meter: Meter): HTMLElement {
  const detail = h('div', { class: 'meter-detail', 'data-testid': 'meter-detail', 'aria-live': 'polite' });
  const defaultDetail = `${exact(meter.used)} of ${exact(meter.effectiveWindow)} tokens used · window ${exact(meter.window)}`;
  detail.textContent = defaultDetail;

  const bar = h('div', { class: 'meter-bar', role: 'group', 'aria-label': `Context use by category: ${meter.headline}` });
  for (const seg of meter.segments) {
    const text = segmentText(meter, seg);
    const el = h('div', {
      class: `segment cat-${seg.category}`,
      tabindex: 0,
      role: 'img',
      'aria-label': text,
      title: text,
      'data-category': seg.category,
      'data-tokens': seg.tokens,
      'data-focus-key': `segment-${seg.category}`,
    });
    el.style.width = `${seg.percentOfBar}%`;
    const show = () => (detail.textContent = text);
    const hide = () => (detail.textContent = defaultDetail);
    el.addEventListener('mouseenter', show);
    el.addEventListener('focus', show);
    el.addEventListener('mouseleave', hide);
    el.addEventListener('blur', hide);
    bar.append(el);
  }
  for (const [name, at, percent] of [
    ['warn', meter.warnAt, meter.warnPercent],
    ['auto', meter.autoCompactAt, meter.autoCompactPercent],
  ] as const) {
    const mark = h('div', { class: `level-mark level-${name}`, 'aria-hidden': 'true', title: `${name === 'warn' ? 'Warn' : 'Auto-compact'} level: ${percent}%` });
    mark.style.left = `${at}%`;
    bar.append(mark);
  }

  const legend = h('ul', { class: 'legend', 'aria-label': 'Categories' });
  for (const seg of meter.segments) {
    legend.append(
      h('li', { 'data-category': seg.category }, h('span', { class: `swatch cat-${seg.category}`, 'aria-hidden': 'true' }), h('span', { class: 'legend-label' }, seg.label), h('span', { class: 'legend-value' }, exact(seg.tokens))),
    );
  }

  return h(
    'section',
    { class: `meter level-${meter.level}`, 'aria-labelledby': 'meter-title' },
    h(
      'div',
      { class: 'meter-head' },
      h('h2', { id: 'meter-title' }, 'Context'),
      h('span', { class: 'headline', 'data-testid': 'meter-headline' }, meter.headline),
      h('span', { class: `badge badge-${meter.level}`, 'data-testid': 'meter-level' }, LEVEL_TEXT[meter.level]),
    ),
    bar,
    h(
      'div',
      { class: 'level-labels', 'aria-hidden': 'true' },
      h('span', { class: 'level-warn' }, `▏warn ${meter.warnPercent}%`),
      h('span', { class: 'level-auto' }, `▏auto-compact ${meter.autoCompactPercent}%`),
    ),
    detail,
    legend,
    h('p', { class: 'muted', 'data-testid': 'numbers-source' }, `Numbers: ${meter.numbersSource}. Levels are percentages of the effective window (window minus the output reserve).`),
  );
}
