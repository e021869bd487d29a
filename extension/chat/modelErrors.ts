import * as vscode from 'vscode';

/** Turns a failure of `vscode.lm` into one sentence a person can act on. */
export function describeModelError(err: unknown): string {
  if (err instanceof vscode.LanguageModelError) {
    switch (err.code) {
      case vscode.LanguageModelError.NoPermissions.name:
        return 'Context Compactor is not allowed to use this model. Allow it when VS Code asks, or pick another model.';
      case vscode.LanguageModelError.Blocked.name:
        return `The model provider blocked the request: ${err.message}`;
      case vscode.LanguageModelError.NotFound.name:
        return 'The selected model is no longer available. Pick another model in the Chat view.';
      default:
        return `The model failed: ${err.message}`;
    }
  }
  if (err instanceof Error) return `The model failed: ${err.message}`;
  return 'The model failed for an unknown reason.';
}
