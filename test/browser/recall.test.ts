// compactor_recall in a real VS Code: the tool is offered to the model, finds
// its session through the invocation token VS Code copies on the way
// (extension/tools/requestSessions.ts), and gives back a search hit and a
// tool result's exact original text by its recall id.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openChat, selectChatModel, sendChat } from './harness/browser';
import { startVsCode, type TestModelConfig } from './harness/vscode';

const ZONE = 'export const offsetMinutes = -120; // ZONE-MARKER-7731 applied twice\n';

const config = (recallId: string): TestModelConfig => ({
  replies: [
    { match: 'read the zone file', scope: 'last', toolCalls: [{ name: 'compactor_readFile', input: { path: 'src/zone.js' } }], afterTools: 'Read the zone file.' },
    { match: 'search for the marker', scope: 'last', toolCalls: [{ name: 'compactor_recall', input: { query: 'ZONE-MARKER-7731 offsetMinutes' } }], afterTools: 'Searched.' },
    { match: 'recall by id', scope: 'last', toolCalls: [{ name: 'compactor_recall', input: { id: recallId } }], afterTools: 'Recalled.' },
  ],
});

test('the model recalls from its own session: a search, then a result by its recall id, exactly', { timeout: 600_000 }, async (t) => {
  const vscode = await startVsCode({ workspaceFiles: { 'src/zone.js': ZONE }, model: config('unset') });
  t.after(() => vscode.stop());
  const { page } = vscode;
  try {
    await openChat(page);
    await selectChatModel(page);

    assert.match(await sendChat(page, '@compactor read the zone file'), /Read the zone file/);
    const [askRead, afterRead] = vscode.requestsOfModel().slice(-2);
    assert.ok(askRead?.toolNames.includes('compactor_recall'), `tools offered: ${askRead?.toolNames.join(', ')}`);
    const readResult = afterRead?.messages.at(-1)?.text ?? '';
    assert.match(readResult, /ZONE-MARKER-7731/);
    // The fixture names its calls call_<request>_<index>.
    const callId = `call_${askRead!.id}_0`;

    assert.match(await sendChat(page, '@compactor search for the marker'), /Searched/);
    const searched = vscode.requestsOfModel().at(-1)?.messages.at(-1)?.text ?? '';
    assert.match(searched, /^Recall search for "ZONE-MARKER-7731 offsetMinutes"/, searched);
    assert.match(searched, new RegExp(`tool result of compactor_readFile \\{"path":"src/zone.js"\\} — recall id "${callId}"`), searched);

    vscode.setModelConfig(config(callId));
    assert.match(await sendChat(page, '@compactor recall by id'), /Recalled/);
    const recalled = vscode.requestsOfModel().at(-1)?.messages.at(-1)?.text ?? '';
    const [header, ...rest] = recalled.split('\n');
    assert.match(header ?? '', new RegExp(`^Tool result of compactor_readFile .*\\(recall id "${callId}"`), recalled);
    assert.equal(rest.join('\n'), readResult, 'the exact original text');
    await vscode.screenshot('recall-by-id');
  } catch (err) {
    await vscode.screenshot('recall-failure').catch(() => undefined);
    throw err;
  }
});
