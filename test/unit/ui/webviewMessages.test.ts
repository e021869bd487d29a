// Messages between the host and the Context webview: valid ones are accepted
// and dispatched, malformed ones rejected (and reported), on both sides.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dispatchWebviewMessage, escapeJsonForHtml, parseWebviewMessage, type WebviewActions } from '../../../extension/webview/webviewMessages';
import { HostToWebviewSchema, WebviewToHostSchema } from '../../../webview/protocol';

function recorder(): { calls: string[]; actions: WebviewActions } {
  const calls: string[] = [];
  return {
    calls,
    actions: {
      ready: () => void calls.push('ready'),
      compact: (i) => void calls.push(`compact:${i}`),
      revert: (s, c) => void calls.push(`revert:${s}:${c}`),
      selectSession: (s) => void calls.push(`select:${s}`),
      openSummary: (s, c) => void calls.push(`open:${s}:${c}`),
      unpin: (s, m) => void calls.push(`unpin:${s}:${m}`),
      openBeforeAfter: (s, c) => void calls.push(`beforeAfter:${s}:${c}`),
      webviewRejected: (e) => void calls.push(`webviewRejected:${e}`),
      reject: (e) => void calls.push(`reject:${e}`),
    },
  };
}

test('valid webview → host messages are dispatched to their action', async () => {
  const { calls, actions } = recorder();
  for (const m of [
    { type: 'ready' },
    { type: 'compact', instructions: 'keep the plan' },
    { type: 'revert', sessionId: 's1', compactionId: 'c1' },
    { type: 'selectSession', sessionId: 's2' },
    { type: 'openSummary', sessionId: 's1', compactionId: 'c1' },
    { type: 'invalidMessage', error: 'bad state' },
    { type: 'unpin', sessionId: 's1', messageId: 'm1' },
    { type: 'openBeforeAfter', sessionId: 's1', compactionId: 'c1' },
  ]) {
    assert.equal(await dispatchWebviewMessage(m, actions), true);
  }
  assert.deepEqual(calls, ['ready', 'compact:keep the plan', 'revert:s1:c1', 'select:s2', 'open:s1:c1', 'webviewRejected:bad state', 'unpin:s1:m1', 'beforeAfter:s1:c1']);
});

test('malformed webview → host messages are rejected with the field at fault, nothing runs', async () => {
  for (const bad of [
    null,
    'ready',
    { type: 'nuke' },
    { type: 'revert', sessionId: 's1' },
    { type: 'compact', instructions: 42 },
    { type: 'selectSession', sessionId: '' },
    { type: 'compact', instructions: 'x'.repeat(5000) },
    { type: 'unpin', sessionId: 's1' },
    { type: 'openBeforeAfter', sessionId: 's1', compactionId: '' },
  ]) {
    const { calls, actions } = recorder();
    assert.equal(await dispatchWebviewMessage(bad, actions), false, JSON.stringify(bad));
    assert.equal(calls.length, 1);
    assert.match(calls[0]!, /^reject:malformed message from the Context view/);
  }
  const r = parseWebviewMessage({ type: 'revert', sessionId: 's1' });
  assert.ok(!r.ok && /compactionId/.test(r.error));
});

test('host → webview schema accepts state and notices, rejects the rest', () => {
  const state = { sessions: [], engine: { state: 'running' }, busy: false };
  assert.ok(HostToWebviewSchema.safeParse({ type: 'state', state }).success);
  assert.ok(HostToWebviewSchema.safeParse({ type: 'notice', level: 'info', text: 'done' }).success);
  assert.ok(!HostToWebviewSchema.safeParse({ type: 'state', state: { ...state, busy: 'no' } }).success);
  assert.ok(!HostToWebviewSchema.safeParse({ type: 'notice', level: 'shout', text: 'x' }).success);
  assert.ok(!HostToWebviewSchema.safeParse({ type: 'html', html: '<script>' }).success);
  assert.ok(!WebviewToHostSchema.safeParse({ type: 'state', state }).success, 'directions are not interchangeable');
});

test('initial state embedded in HTML cannot close its script block', () => {
  const text = escapeJsonForHtml({ title: '</script><script>alert(1)</script> & \u2028' });
  assert.doesNotMatch(text, /[<>&\u2028]/);
  assert.deepEqual(JSON.parse(text), { title: '</script><script>alert(1)</script> & \u2028' });
});
