import * as vscode from 'vscode';
import type * as z from 'zod';
import { parseToolInput } from './toolInputs';

/**
 * A tool that only reads (no review step): `message` is shown while it runs,
 * from the input as the model sent it; `answer` gets the validated input and
 * its text is the tool's result. An invalid input is a sentence naming the
 * field (parseToolInput), as for the tools that change things.
 */
export function readOnlyTool<S extends z.ZodType>(spec: {
  name: string;
  input: S;
  message(raw: { [field: string]: unknown }): string;
  answer(input: z.infer<S>, token: vscode.CancellationToken): Promise<string>;
}): vscode.LanguageModelTool<z.infer<S>> {
  return {
    prepareInvocation(options) {
      return { invocationMessage: spec.message((options.input ?? {}) as { [field: string]: unknown }) };
    },
    async invoke(options, token) {
      const text = await spec.answer(parseToolInput(spec.name, spec.input, options.input), token);
      return new vscode.LanguageModelToolResult([new vscode.LanguageModelTextPart(text)]);
    },
  };
}
