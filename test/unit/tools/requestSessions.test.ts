import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chatKeyOf, RequestSessions } from '../../../extension/tools/requestSessions';

/** What VS Code hands a participant and, revived (another object), a tool: the chat's resource. */
class FakeUri {
  constructor(private readonly s: string) {}
  toString(): string {
    return this.s;
  }
}
const tokenFor = (chat: string) => Object.freeze({ sessionResource: new FakeUri(`vscode-chat-session://local/${chat}`), workingDirectory: undefined });

test('a tool finds the session of its chat through a copy of the token, not the same object', () => {
  const r = new RequestSessions();
  const a = r.begin(tokenFor('chat-a'), 'session-a');
  r.begin(tokenFor('chat-b'), 'session-b');
  assert.deepEqual(r.sessionFor(tokenFor('chat-a')), { ok: true, sessionId: 'session-a' });
  assert.deepEqual(r.sessionFor(tokenFor('chat-b')), { ok: true, sessionId: 'session-b' });
  a.dispose();
  assert.deepEqual(r.sessionFor(tokenFor('chat-a')), { ok: true, sessionId: 'session-a' }, 'the chat keeps its session after the request');
  // Older VS Code: { sessionId }.
  r.begin({ sessionId: 'old-chat' }, 'session-old');
  assert.deepEqual(r.sessionFor({ sessionId: 'old-chat' }), { ok: true, sessionId: 'session-old' });
});

test('another chat (not @compactor) gets an error, never some other session', () => {
  const r = new RequestSessions();
  r.begin(tokenFor('chat-a'), 'session-a');
  const other = r.sessionFor(tokenFor('copilot-chat'));
  assert.equal(other.ok, false);
  assert.match(!other.ok ? other.error : '', /not one/);
});

test('without a token: the one running request, else a clear error', () => {
  const r = new RequestSessions();
  assert.match((r.sessionFor(undefined) as { error: string }).error, /none is running/);
  const a = r.begin(tokenFor('chat-a'), 'session-a');
  assert.deepEqual(r.sessionFor(undefined), { ok: true, sessionId: 'session-a' });
  const b = r.begin(tokenFor('chat-b'), 'session-b');
  assert.match((r.sessionFor(undefined) as { error: string }).error, /could not tell/);
  b.dispose();
  a.dispose();
  assert.equal(r.sessionFor(undefined).ok, false);
});

test('chatKeyOf: a Uri by its string, a plain copy by its fields, nothing for tokens naming no chat', () => {
  assert.equal(chatKeyOf(tokenFor('x')), 'resource:vscode-chat-session://local/x');
  assert.equal(chatKeyOf({ sessionResource: { scheme: 's', path: '/p' } }), 'resource:{"scheme":"s","path":"/p"}');
  assert.equal(chatKeyOf(undefined), undefined);
  assert.equal(chatKeyOf({}), undefined);
  assert.equal(chatKeyOf('text'), undefined);
});
