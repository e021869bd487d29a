/**
 * The optional corpus of real transcripts (a `shared/corpus` folder beside the
 * repository, or COMPACTOR_CORPUS), with what we know about each: its format
 * and the start of its first real user request. It is not part of the
 * repository: tests that use it skip, with a reason, where it is absent; the
 * project's own synthetic transcripts (test/fixtures/transcripts.ts) cover the
 * same behaviour on every machine.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { FormatName } from '../../../src/compaction/importers';

export const CORPUS_DIR = resolve(process.env.COMPACTOR_CORPUS ?? join(__dirname, '..', '..', '..', '..', 'shared', 'corpus'));

export interface CorpusFile {
  name: string;
  format: FormatName;
  /** The first real user request starts with this text. */
  firstRequest: string;
}

export const CORPUS: readonly CorpusFile[] = [
  { name: 'cc_claude-code-viewer_fe5e1c67.jsonl', format: 'claude-code', firstRequest: '<command-message>orchestrator is running' },
  { name: 'pi_pi-mono_before-compaction.jsonl', format: 'pi', firstRequest: 'alright, read @packages/coding-agent/src/main.ts' },
  { name: 'swea_pydicom-1458.traj', format: 'swe-agent', firstRequest: "We're currently solving the following issue" },
  { name: 'oh_resolver_mock_output.jsonl', format: 'openhands', firstRequest: 'Please fix the following issue for the repository in /workspace.' },
  { name: 'mini_django-11910.traj.json', format: 'mini-swe-agent', firstRequest: '<pr_description>' },
  { name: 'mini_sqlfluff-1517.traj.json', format: 'mini-swe-agent', firstRequest: '<pr_description>' },
  { name: 'mini_astropy-14182.traj.json', format: 'mini-swe-agent', firstRequest: '<pr_description>' },
  { name: 'mini_reasoner_sqlfluff-1763.traj.json', format: 'mini-swe-agent', firstRequest: '<pr_description>' },
];

export function corpusPath(name: string): string {
  return join(CORPUS_DIR, name);
}

export function hasCorpusFile(name: string): boolean {
  return existsSync(corpusPath(name));
}

export function readCorpus(name: string): string {
  return readFileSync(corpusPath(name), 'utf8');
}

/** `skip` option for a test on a corpus file: false when the file is there, else the reason. */
export function corpusSkip(name: string): false | string {
  return hasCorpusFile(name) ? false : `optional corpus file ${name} not found in ${CORPUS_DIR} (set COMPACTOR_CORPUS to run it)`;
}

/** Skip reason for a test over the whole corpus: false when at least one corpus file is there. */
export function corpusAbsentSkip(): false | string {
  return CORPUS.some((f) => hasCorpusFile(f.name)) ? false : `the optional corpus is not in ${CORPUS_DIR} (set COMPACTOR_CORPUS to run it)`;
}
