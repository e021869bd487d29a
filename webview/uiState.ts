// UI state kept by VS Code across hide/show and reloads (getState/setState):
// which history entries are open, the instructions being typed, and the last
// state from the host so the view draws at once when it comes back.
import * as z from 'zod/mini';
import { ContextViewStateSchema, type WebviewToHost } from './protocol';

export interface VsCodeApi {
  postMessage(message: WebviewToHost): void;
  getState(): unknown;
  setState(state: unknown): void;
}

const UiStateSchema = z.object({
  expanded: z._default(z.array(z.string()), []),
  instructions: z._default(z.string(), ''),
  last: z.optional(ContextViewStateSchema),
});
export type UiState = z.infer<typeof UiStateSchema>;

export class UiStateStore {
  private state: UiState;

  constructor(private readonly api: VsCodeApi) {
    const parsed = UiStateSchema.safeParse(api.getState() ?? {});
    this.state = parsed.success ? parsed.data : { expanded: [], instructions: '' };
  }

  get value(): Readonly<UiState> {
    return this.state;
  }

  update(patch: Partial<UiState>): void {
    this.state = { ...this.state, ...patch };
    this.api.setState(this.state);
  }

  setExpanded(id: string, open: boolean): void {
    const set = new Set(this.state.expanded);
    if (open) set.add(id);
    else set.delete(id);
    this.update({ expanded: [...set] });
  }
}
