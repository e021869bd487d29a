import type { CompactorContext } from '../compactorContext';

/** One command: its id and what it does. Registered by registerCommands. */
export interface Command {
  readonly id: string;
  execute(ctx: CompactorContext, ...args: unknown[]): unknown;
}
