/**
 * Compaction quality on the real transcripts in the corpus: the engine's
 * `compact` (strategy auto) against what other agents do without a model, all
 * at the same budget T = 25 % of the transcript's tokens. Writes
 * bench/quality.json and bench/QUALITY.md; the metric is explained in
 * bench/README.md ("Quality").
 *
 *   node --import tsx bench/quality.ts          (COMPACTOR_CORPUS overrides the corpus folder)
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { contextOf, contextTokens, messagesOf } from '../src/compaction/context';
import { importTranscript } from '../src/compaction/importers';
import { compact } from '../src/compaction/planner';
import { counterForModel } from '../src/compaction/tokens/counter';
import type { MessageRecord } from '../src/compaction/records';
import { cutToFit, runBaseline, type BaselineName } from './quality/baselines';
import { METHODS, toMarkdown, type MethodResult, type TranscriptResult } from './quality/report';
import { requestText, scoreContext, trackedFacts } from './quality/score';
import { bareIdentifierShare } from './quality/bareLines';
import { runSharedEval, sharedEvalMarkdown } from './quality/sharedEval';

/** The shared eval's budgets (fractions of the prefix it compacts). */
const SHARED_BUDGETS = [0.25, 0.1];
/** The budget: a quarter of the transcript, well under the 30 % tail the facts are drawn from. */
export const TARGET_FRACTION = 0.25;

const root = resolve(__dirname, '..');
const corpus = resolve(root, process.env.COMPACTOR_CORPUS ?? '../shared/corpus');
const counter = counterForModel('gpt-4o');

function transcriptFiles(): string[] {
  return readdirSync(corpus)
    .filter((f) => !f.endsWith('.tsv') && !f.endsWith('.md') && !f.startsWith('.'))
    .sort();
}

function evaluate(file: string): TranscriptResult {
  // pi's own compactions are ignored: we compact the full transcript.
  const { log, requestIds } = importTranscript(readFileSync(join(corpus, file), 'utf8'), { counter, fileName: file, nativeCompactions: 'ignore' });
  const context = contextOf(log, counter);
  const tokens = contextTokens(context);
  const target = Math.floor(tokens * TARGET_FRACTION);
  const messages = messagesOf(log);
  const byId = new Map<string, MessageRecord>(messages.map((m) => [m.id, m]));
  const facts = trackedFacts(messages);
  const input = {
    beforeTokens: tokens,
    target,
    firstRequest: requestText(byId.get(requestIds[0] ?? '')),
    lastRequest: requestText(byId.get(requestIds[requestIds.length - 1] ?? '')),
    facts,
  };

  const started = performance.now();
  const result = compact(log, { source: 'manual', strategy: 'auto', targetTokens: target, counter, clock: { now: () => performance.now() } });
  const engineContext = result.status === 'compacted' ? result.context : context;
  // The same compaction with recall-aware masking (CompactOptions.recallAwareMasking), at the same target.
  const recallResult = compact(log, { source: 'manual', strategy: 'auto', targetTokens: target, counter, clock: { now: () => performance.now() }, recallAwareMasking: true });
  const recallContext = recallResult.status === 'compacted' ? recallResult.context : context;
  const methods = {
    engine: {
      ...scoreContext(engineContext, input),
      cut: false,
      status: result.status,
      ...(result.report.reason ? { reason: result.report.reason } : {}),
    },
    engineRecallMask: {
      ...scoreContext(recallContext, input),
      cut: false,
      status: recallResult.status,
      ...(recallResult.report.reason ? { reason: recallResult.report.reason } : {}),
    },
  } as Record<(typeof METHODS)[number], MethodResult>;
  for (const name of METHODS.filter((m): m is BaselineName => m !== 'engine' && m !== 'engineRecallMask')) {
    const { context: fitted, cut } = cutToFit(runBaseline(name, context, counter), target);
    methods[name] = { ...scoreContext(fitted, input), cut };
  }
  process.stderr.write(`${file}: ${tokens} tokens, engine ${result.status} in ${Math.round(performance.now() - started)} ms\n`);
  const bare = bareIdentifierShare(result.status === 'compacted' ? result.record.summary : '');
  const fidelity = result.status === 'compacted' ? result.record.fidelity : undefined;
  return { file, format: log.header.importedFrom ?? '?', messages: messages.length, tokens, target, facts: facts.size, methods, bareLines: bare, ...(fidelity !== undefined ? { fidelity } : {}) };
}

function main(): void {
  const files = transcriptFiles();
  if (files.length === 0) throw new Error(`no transcripts in ${corpus}`);
  const results = files.map(evaluate);
  const meta = { encoding: counter.encoding, date: new Date().toISOString().slice(0, 10) };
  // The shared metric beside ours (BENCH_SHARED_EVAL=0 skips it: it runs the built CLI on every transcript, twice).
  const shared = process.env.BENCH_SHARED_EVAL === '0' ? [{ skipped: 'BENCH_SHARED_EVAL=0' }] : SHARED_BUDGETS.map((b) => runSharedEval(root, b));
  writeFileSync(join(root, 'bench', 'quality.json'), JSON.stringify({ ...meta, targetFraction: TARGET_FRACTION, results, shared }, null, 2) + '\n');
  const markdown = `${toMarkdown(results, meta)}\n${sharedEvalMarkdown(shared)}`;
  writeFileSync(join(root, 'bench', 'QUALITY.md'), markdown);
  process.stdout.write(markdown.split('## Per transcript')[0]!);
}

main();
