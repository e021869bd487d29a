/**
 * An EngineClient for unit tests of the extension host's middle layer: the
 * real engine (EngineService over the planner, with estimate counters) called
 * in process instead of over JSON-RPC, with params validated by the same
 * schemas the server uses. `gate` holds a compaction until the test releases
 * it, so races can be staged; every call is recorded.
 */
import type { EngineClient } from '../../../extension/serverClient/engineClient';
import { compact } from '../../../src/compaction/planner';
import { CompactParamsSchema, CountParamsSchema, type CompactParamsInput, type CompactResponse, type CountParamsInput, type CountResult } from '../../../src/compaction/protocol';
import { EngineService } from '../../../src/compaction/server/engineService';
import { createEstimateCounter } from '../../../src/compaction/tokens/counter';

export interface FakeEngine {
  client: EngineClient;
  calls: string[];
  /** While set, `compact` waits for this promise before computing. */
  gate: Promise<void> | undefined;
  /** Makes the next `compact` fail with this error. */
  failNext: Error | undefined;
}

export function fakeEngine(): FakeEngine {
  const estimate = createEstimateCounter();
  const service = new EngineService({
    counters: { forEncoding: () => estimate, forModel: () => estimate },
    clock: { now: () => Date.now() },
    compact,
  });
  const fake: FakeEngine = {
    calls: [],
    gate: undefined,
    failNext: undefined,
    client: undefined as unknown as EngineClient,
  };
  const client = {
    async count(params: CountParamsInput): Promise<CountResult> {
      fake.calls.push('count');
      return service.count(CountParamsSchema.parse(params));
    },
    async compact(params: CompactParamsInput): Promise<CompactResponse> {
      fake.calls.push('compact:start');
      if (fake.gate) await fake.gate;
      const failure = fake.failNext;
      fake.failNext = undefined;
      if (failure) throw failure;
      const result = service.compact(CompactParamsSchema.parse(params));
      fake.calls.push('compact:end');
      return result;
    },
  };
  fake.client = client as unknown as EngineClient;
  return fake;
}
