import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decideSession, toChatMetadata, type KnownSession, type ShownTurn } from '../../../extension/sessions/sessionMapping';

function known(sessions: Record<string, KnownSession>) {
  return (id: string) => sessions[id];
}

const meta = (sessionId: string, turn: number) => toChatMetadata(sessionId, turn);

describe('decideSession', () => {
  it('starts a new session for a new chat', () => {
    const d = decideSession([], known({}));
    assert.deepEqual(d, { kind: 'new', turn: 0, reason: 'new chat' });
  });

  it('starts a new session when no response carries metadata', () => {
    const d = decideSession([{ prompt: 'hi' }], known({ s: { lastTurn: 0 } }));
    assert.equal(d.kind, 'new');
    assert.match(d.kind === 'new' ? d.reason : '', /no response/);
  });

  it('follows up on the session of the last response, next turn', () => {
    const history: ShownTurn[] = [
      { prompt: 'one', metadata: meta('s', 0) },
      { prompt: 'two', metadata: meta('s', 1) },
    ];
    assert.deepEqual(decideSession(history, known({ s: { lastTurn: 1 } })), { kind: 'follow-up', sessionId: 's', turn: 2 });
  });

  it('accepts metadata with other keys beside the session ones', () => {
    const history: ShownTurn[] = [{ prompt: 'one', metadata: { ...meta('s', 0), modelId: 'gpt' } }];
    assert.deepEqual(decideSession(history, known({ s: { lastTurn: 0 } })), { kind: 'follow-up', sessionId: 's', turn: 1 });
  });

  it('counts a shown pair whose response failed before returning metadata', () => {
    const history: ShownTurn[] = [{ prompt: 'one', metadata: meta('s', 0) }, { prompt: 'failed' }];
    const d = decideSession(history, known({ s: { lastTurn: 1 } }));
    assert.deepEqual(d, { kind: 'follow-up', sessionId: 's', turn: 2 });
  });

  it('rewinds when an earlier request is edited: the turns after the shown history are superseded', () => {
    // The log holds turns 0..3; the user edited the request of turn 1, so the Chat view shows only turn 0.
    const d = decideSession([{ prompt: 'one', metadata: meta('s', 0) }], known({ s: { lastTurn: 3 } }));
    assert.equal(d.kind, 'rewind');
    if (d.kind !== 'rewind') return;
    assert.equal(d.sessionId, 's');
    assert.equal(d.turn, 1);
    assert.deepEqual(d.supersededTurns, [1, 2, 3]);
    assert.match(d.reason, /edited or retried/);
  });

  it('rewinds one turn when the last request is retried', () => {
    const history: ShownTurn[] = [
      { prompt: 'one', metadata: meta('s', 0) },
      { prompt: 'two', metadata: meta('s', 1) },
    ];
    const d = decideSession(history, known({ s: { lastTurn: 2 } }));
    assert.deepEqual(d.kind === 'rewind' ? [d.turn, d.supersededTurns] : d, [2, [2]]);
  });

  it('treats malformed metadata as a new session, saying why', () => {
    for (const bad of [{ sessionId: 42, turn: 0 }, { sessionId: 's', turn: -1 }, { sessionId: '../x', turn: 1 }, 'oops']) {
      const d = decideSession([{ prompt: 'one', metadata: bad }], known({ s: { lastTurn: 0 } }));
      assert.equal(d.kind, 'new', JSON.stringify(bad));
      assert.match(d.kind === 'new' ? d.reason : '', /malformed session metadata/);
    }
  });

  it('uses the newest metadata, even when it is malformed and older metadata is fine', () => {
    const history: ShownTurn[] = [
      { prompt: 'one', metadata: meta('s', 0) },
      { prompt: 'two', metadata: { sessionId: 's' } },
    ];
    assert.equal(decideSession(history, known({ s: { lastTurn: 1 } })).kind, 'new');
  });

  it('starts a new session when the remembered one no longer exists', () => {
    const d = decideSession([{ prompt: 'one', metadata: meta('gone', 0) }], known({}));
    assert.equal(d.kind, 'new');
    assert.match(d.kind === 'new' ? d.reason : '', /gone no longer exists/);
  });

  it('follows up when the log holds no turns yet', () => {
    assert.deepEqual(decideSession([{ prompt: 'one', metadata: meta('s', 0) }], known({ s: {} })), {
      kind: 'follow-up',
      sessionId: 's',
      turn: 1,
    });
  });

  it('toChatMetadata refuses what decideSession would reject', () => {
    assert.throws(() => toChatMetadata('a/b', 0));
    assert.throws(() => toChatMetadata('s', 1.5));
  });
});
