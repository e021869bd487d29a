// Context tokens per event of the session, drawn locally as SVG: the line is
// the context size after each message; a compaction is a vertical drop with a
// marker whose shape and colour say its source (manual, auto, partial, idle);
// a revert is a rise marked ↺. The warn and auto-compact levels and the
// effective window are horizontal lines. Markers are focusable with labels.
import { exact, formatTokens, h, s } from './dom';
import type { Chart, ChartPoint } from './protocol';

const HEIGHT = 160;
const PAD = { left: 40, right: 10, top: 10, bottom: 20 };
const SOURCE_LABEL: Record<NonNullable<ChartPoint['source']>, string> = {
  manual: 'Manual',
  auto: 'Automatic',
  partial: 'Partial',
  idle: 'Idle',
};

function marker(source: NonNullable<ChartPoint['source']>, x: number, y: number): SVGElement {
  const r = 5;
  switch (source) {
    case 'manual':
      return s('circle', { cx: x, cy: y, r });
    case 'auto':
      return s('polygon', { points: `${x - r},${y - r} ${x + r},${y - r} ${x},${y + r}` });
    case 'partial':
      return s('rect', { x: x - r + 1, y: y - r + 1, width: 2 * r - 2, height: 2 * r - 2 });
    case 'idle':
      return s('polygon', { points: `${x},${y - r} ${x + r},${y} ${x},${y + r} ${x - r},${y}` });
    default: {
      const unreachable: never = source;
      return unreachable;
    }
  }
}

export function renderChart(chart: Chart, width: number): HTMLElement {
  const section = h('section', { class: 'chart', 'aria-labelledby': 'chart-title' }, h('h2', { id: 'chart-title' }, 'Context per turn'));
  const points = chart.points;
  if (points.length === 0) {
    section.append(h('p', { class: 'muted' }, 'No messages yet.'));
    return section;
  }
  const w = Math.max(200, Math.floor(width));
  const maxY = Math.max(chart.effectiveWindow, ...points.map((p) => Math.max(p.tokens, p.before ?? 0)), 1);
  const plotW = w - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const x = (i: number) => PAD.left + (points.length === 1 ? plotW / 2 : (i / (points.length - 1)) * plotW);
  const y = (t: number) => PAD.top + plotH - (t / maxY) * plotH;
  const compactions = points.filter((p) => p.kind === 'compaction');
  const svg = s('svg', {
    class: 'chart-svg',
    width: w,
    height: HEIGHT,
    viewBox: `0 0 ${w} ${HEIGHT}`,
    role: 'img',
    'aria-label': `Context size over ${points.length} events, now ${exact(points.at(-1)?.tokens ?? 0)} tokens; ${compactions.length} compaction${compactions.length === 1 ? '' : 's'}.`,
  });

  const pct = (tokens: number) => `${chart.effectiveWindow > 0 ? Math.round((tokens / chart.effectiveWindow) * 100) : 0}%`;
  for (const [cls, tokens] of [
    ['line-window', chart.effectiveWindow],
    ['line-auto', chart.autoCompactTokens],
    ['line-warn', chart.warnTokens],
  ] as const) {
    const label = pct(tokens);
    svg.append(
      s('line', { class: `level-line ${cls}`, x1: PAD.left, x2: w - PAD.right, y1: y(tokens), y2: y(tokens) }),
      s('text', { class: `axis-label ${cls}`, x: PAD.left - 4, y: y(tokens) + 3, 'text-anchor': 'end' }, label),
    );
  }
  svg.append(
    s('line', { class: 'axis', x1: PAD.left, x2: w - PAD.right, y1: PAD.top + plotH, y2: PAD.top + plotH }),
    s('text', { class: 'axis-label', x: PAD.left - 4, y: PAD.top + plotH + 3, 'text-anchor': 'end' }, '0'),
    s('text', { class: 'axis-label', x: w - PAD.right, y: HEIGHT - 4, 'text-anchor': 'end' }, `${points.length} events →`),
    s('text', { class: 'axis-label', x: PAD.left, y: HEIGHT - 4 }, `100% = ${formatTokens(chart.effectiveWindow)} tokens`),
  );

  // The line: a message moves to the next x; a compaction/revert/rewind is a vertical step at its x.
  let d = '';
  points.forEach((p, i) => {
    const start = p.before ?? p.tokens;
    if (i === 0) d += `M${x(i)},${y(p.before !== undefined ? start : p.tokens)}`;
    else d += ` L${x(i)},${y(p.kind === 'message' ? p.tokens : start)}`;
    if (p.kind !== 'message') d += ` L${x(i)},${y(p.tokens)}`;
  });
  svg.append(s('path', { class: 'context-line', d }));

  points.forEach((p, i) => {
    if (p.kind === 'message') return;
    const label =
      p.kind === 'compaction' && p.source
        ? `${SOURCE_LABEL[p.source]} compaction: ${exact(p.before ?? 0)} → ${exact(p.tokens)} tokens`
        : `${p.kind === 'revert' ? 'Revert' : 'Edited request'}: ${exact(p.before ?? 0)} → ${exact(p.tokens)} tokens`;
    const g = s('g', {
      class: `event event-${p.kind}${p.source ? ` source-${p.source}` : ''}`,
      tabindex: 0,
      role: 'img',
      'aria-label': label,
      'data-kind': p.kind,
      'data-before': p.before,
      'data-after': p.tokens,
      'data-focus-key': `event-${i}`,
    });
    g.append(s('title', {}, label));
    g.append(s('line', { class: 'drop', x1: x(i), x2: x(i), y1: y(p.before ?? p.tokens), y2: y(p.tokens) }));
    if (p.kind === 'compaction' && p.source) g.append(marker(p.source, x(i), y(p.tokens)));
    else g.append(s('text', { class: 'revert-mark', x: x(i), y: y(p.tokens) - 6, 'text-anchor': 'middle' }, '↺'));
    svg.append(g);
  });

  const legend = h('ul', { class: 'chart-legend', 'aria-hidden': 'true' });
  for (const src of ['manual', 'auto', 'partial', 'idle'] as const) {
    const sw = s('svg', { width: 12, height: 12, viewBox: '0 0 12 12', class: `source-${src}` }, marker(src, 6, 6));
    legend.append(h('li', {}, sw, SOURCE_LABEL[src]));
  }
  legend.append(h('li', {}, h('span', { class: 'swatch line-warn-swatch' }), 'warn'), h('li', {}, h('span', { class: 'swatch line-auto-swatch' }), 'auto-compact'));
  section.append(svg, legend);
  return section;
}
