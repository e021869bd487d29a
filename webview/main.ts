// Entry point of the webview bundle: receives validated messages from the host
// and renders the context meter. Text is always set with textContent.
import { HostToWebviewSchema, type HostToWebview, type WebviewToHost } from './protocol';

declare function acquireVsCodeApi(): { postMessage(message: WebviewToHost): void };

const vscode = acquireVsCodeApi();
const root = document.getElementById('root') ?? document.body;

function formatTokens(n: number): string {
  return n >= 1000 ? `${Math.round(n / 1000)}K` : String(n);
}

function render(message: HostToWebview): void {
  root.replaceChildren();
  switch (message.type) {
    case 'noSession': {
      const p = document.createElement('p');
      p.textContent = 'No active session. Start one with @compactor in the Chat view.';
      root.append(p);
      return;
    }
    case 'usage': {
      const percent = Math.round((message.usedTokens / message.effectiveWindow) * 100);
      const title = document.createElement('h2');
      title.textContent = message.sessionTitle;
      const summary = document.createElement('p');
      summary.textContent = `${percent}% · ${formatTokens(message.usedTokens)}/${formatTokens(message.effectiveWindow)}${message.estimated ? ' (estimated)' : ''}`;
      const bar = document.createElement('div');
      bar.className = 'meter';
      bar.setAttribute('role', 'img');
      bar.setAttribute('aria-label', summary.textContent);
      for (const segment of message.segments) {
        const part = document.createElement('span');
        part.className = `segment segment-${segment.category}`;
        part.style.width = `${(segment.tokens / message.effectiveWindow) * 100}%`;
        part.title = `${segment.label}: ${segment.tokens.toLocaleString()} tokens`;
        bar.append(part);
      }
      root.append(title, summary, bar);
      return;
    }
    default: {
      const unreachable: never = message;
      throw new Error(`unhandled message ${JSON.stringify(unreachable)}`);
    }
  }
}

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const parsed = HostToWebviewSchema.safeParse(event.data);
  if (!parsed.success) {
    vscode.postMessage({ type: 'invalidMessage', error: parsed.error.message });
    return;
  }
  render(parsed.data);
});
vscode.postMessage({ type: 'ready' });
