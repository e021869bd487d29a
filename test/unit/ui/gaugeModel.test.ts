// The status-bar gauge's text, colour and tooltip from a usage breakdown (no VS Code).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_LEVELS } from '../../../src/compaction/budget';
import type { UsageBreakdown } from '../../../src/compaction/usage';
import { colourOf, escapeMarkdown, gaugeHeadline, gaugeModel } from '../../../extension/ui/gaugeModel';

/** 81,234 used of a 131,000 effective window (151,000 window, 20,000 reserve): 62%, warn level not reached. */
function usage(over: Partial<UsageBreakdown> = {}): UsageBreakdown {
  return {
    categories: { system: 1234, summary: 0, attachments: 0, user: 30_000, assistant: 20_000, toolCalls: 5_000, toolResults: 25_000, pinned: 0, reservedOutput: 20_000, free: 49_766 },
    used: 81_234,
    window: 151_000,
    effectiveWindow: 131_000,
    percentUsed: (81_234 / 131_000) * 100,
    level: 'ok',
    reported: false,
    estimated: false,
    ...over,
  };
}

test('text: codicon, percent, used/effective window', () => {
  const m = gaugeModel({ usage: usage(), levels: DEFAULT_LEVELS });
  assert.equal(m.text, '$(dashboard) 62% · 81K/131K');
  assert.equal(gaugeHeadline(usage()), '62% · 81K/131K');
});

test('levels map to colours: ok none, warn warning, auto and over error', () => {
  assert.equal(colourOf('ok'), 'none');
  assert.equal(colourOf('warn'), 'warning');
  assert.equal(colourOf('auto'), 'error');
  assert.equal(colourOf('over'), 'error');
  assert.equal(gaugeModel({ usage: usage({ level: 'warn' }), levels: DEFAULT_LEVELS }).colour, 'warning');
});

test('tooltip: category table, window, levels, command links, numbers source', () => {
  const { tooltip } = gaugeModel({ usage: usage(), levels: DEFAULT_LEVELS, sessionTitle: 'Fix [the] bug' });
  assert.match(tooltip, /\| Category \| Tokens \|/);
  assert.match(tooltip, /\| User messages \| 30,000 \|/);
  assert.match(tooltip, /\| Tool results \| 25,000 \|/);
  assert.match(tooltip, /\| Reserved for output \| 20,000 \|/);
  assert.match(tooltip, /\| Free \| 49,766 \|/);
  assert.doesNotMatch(tooltip, /\| Summary \|/, 'empty categories are left out');
  assert.match(tooltip, /warn 70% · auto-compact 85% · target after compaction 40%/);
  assert.match(tooltip, /\(command:compactor\.compactConversation\)/);
  assert.match(tooltip, /\(command:compactor\.showContext\)/);
  assert.match(tooltip, /counted locally/);
  assert.match(tooltip, /Session: Fix \\\[the\\\] bug/, 'the title is escaped, it cannot form a link');
  assert.doesNotMatch(tooltip, /engine unavailable/i);
});

test('estimated and provider-reported numbers are labelled', () => {
  const est = gaugeModel({ usage: usage({ estimated: true }), levels: DEFAULT_LEVELS });
  assert.match(est.tooltip, /Numbers: estimated/);
  assert.match(est.accessibilityLabel, /estimated/);
  assert.match(gaugeModel({ usage: usage({ reported: true }), levels: DEFAULT_LEVELS }).tooltip, /provider-reported/);
});

test('engine unavailable: the tooltip says so with the reason', () => {
  const m = gaugeModel({ usage: usage(), levels: DEFAULT_LEVELS, engine: { state: 'unavailable', reason: 'the engine crashed' } });
  assert.match(m.tooltip, /Compaction engine unavailable: the engine crashed/);
});

test('accessibility label reads the exact numbers and the level', () => {
  const m = gaugeModel({ usage: usage({ level: 'auto', percentUsed: 90, used: 117_900 }), levels: DEFAULT_LEVELS });
  assert.equal(m.accessibilityLabel, 'Context 90% used: 117,900 of 131,000 tokens, at the auto-compact level. Activate to show the context.');
});

test('over the window: percent above 100', () => {
  const m = gaugeModel({ usage: usage({ level: 'over', used: 140_000, percentUsed: (140_000 / 131_000) * 100 }), levels: DEFAULT_LEVELS });
  assert.equal(m.text, '$(dashboard) 107% · 140K/131K');
  assert.equal(m.colour, 'error');
});

test('escapeMarkdown neutralises link and markup characters', () => {
  assert.equal(escapeMarkdown('[x](command:evil)'), '\\[x\\]\\(command:evil\\)');
  assert.equal(escapeMarkdown('<img src=x>'), '\\<img src=x\\>');
});

test('the tooltip says when the context came from an idle compaction, and when idle compaction stopped', () => {
  const base = gaugeModel({ usage: usage(), levels: DEFAULT_LEVELS });
  assert.doesNotMatch(base.tooltip, /idle/);
  const now = Date.parse('2025-01-01T12:00:00Z');
  const m = gaugeModel({ usage: usage(), levels: DEFAULT_LEVELS, now, idle: { compactedAt: now - 12 * 60_000, paused: 'Idle compaction stopped for this session after 2 failures in a row.' } });
  assert.match(m.tooltip, /Compacted while idle 12 min ago/);
  assert.match(m.tooltip, /Idle compaction stopped for this session/);
});
