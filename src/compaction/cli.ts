/**
 * `compactor`: measure and compact agent transcripts from the command line.
 * Parses arguments, calls the engine, prints. Formatting lives in ./cli/.
 * Every failure is one line on stderr and a non-zero exit status
 * (2: bad command line, 1: bad input, 3: the engine refused to compact).
 */
import { parseArgs } from 'node:util';
import { FORMAT_NAMES } from './importers';
import { STRATEGIES, runCompact } from './cli/compact';
import { CliError, intFlag } from './cli/errors';
import { loadTranscript } from './cli/load';
import { runStats } from './cli/stats';
import { DEFAULT_WINDOW_TOKENS } from './cli/window';
import { DEFAULT_TARGET_PERCENT } from './constants';
import type { Strategy } from './types';
import { errorMessage } from './errors';

const HELP = `compactor — measure and compact LLM agent transcripts

Usage:
  compactor stats FILE [--format F] [--window N] [--json]
  compactor compact FILE [--format F] [--strategy S] [--target-tokens N]
                         [--window N] [--upto N | --from N] [--json]
                         [--recall-aware-masking]
  compactor --help

Commands:
  stats     Usage breakdown of the context (system, summary, user, assistant,
            tool calls, tool results, reserved output, free) against the window.
  compact   Compacts the whole transcript, or only the messages before (--upto)
            or from (--from) message N (0-based index into the messages).
            With --json prints one object: {"messages": [...], "report": {...}}
            where messages is the compacted context in OpenAI chat format.

Options:
  --format F          ${FORMAT_NAMES.join(' | ')} (default: detected)
  --window N          context window in tokens (default: the transcript's model
                      if known, else ${DEFAULT_WINDOW_TOKENS.toLocaleString('en-US')})
  --strategy S        ${STRATEGIES.join(' | ')} (default: auto)
  --target-tokens N   tokens the context must fit in after compaction (default:
                      the target level, ${DEFAULT_TARGET_PERCENT}% of the effective window =
                      window − min(max output, 20,000))
  --upto N / --from N partial compaction around message N
  --recall-aware-masking
                      also mask tool results older than the last few tool
                      rounds (they can be recalled exactly); off by default
  --json              machine-readable output on stdout
  --estimate          count tokens as chars/4 instead of tiktoken o200k_base
  --ignore-native-compactions
                      pi sessions: read the full transcript, not the context
                      left by pi's own compactions
  --run N             OpenHands output.jsonl: the run on line N (default: 1)

Exit status: 0 ok; 1 bad input; 2 bad command line; 3 compaction refused
(the JSON report says why).`;

const OPTIONS = {
  format: { type: 'string' },
  window: { type: 'string' },
  strategy: { type: 'string' },
  'target-tokens': { type: 'string' },
  upto: { type: 'string' },
  from: { type: 'string' },
  run: { type: 'string' },
  json: { type: 'boolean' },
  estimate: { type: 'boolean' },
  'ignore-native-compactions': { type: 'boolean' },
  'recall-aware-masking': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export interface CliIO {
  stdout: (text: string) => void;
  stderr: (line: string) => void;
}

/** Runs the CLI and returns its exit status. */
export function main(argv: string[], io: CliIO): number {
  try {
    let parsed;
    try {
      parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
    } catch (err) {
      throw new CliError(`${(err as Error).message.split('\n')[0]} (see --help)`, 2);
    }
    const { values, positionals } = parsed;
    const [command, file, ...extra] = positionals;
    if (values.help || command === 'help') {
      io.stdout(HELP);
      return 0;
    }
    if (command !== 'stats' && command !== 'compact') {
      throw new CliError(command ? `unknown command "${command}" (expected stats or compact; see --help)` : 'missing command (see --help)', 2);
    }
    if (!file) throw new CliError(`missing FILE: compactor ${command} FILE (see --help)`, 2);
    if (extra.length > 0) throw new CliError(`unexpected argument "${extra[0]}" (see --help)`, 2);
    const window = intFlag('window', values.window, 1);
    const run = intFlag('run', values.run, 1);
    const strategy = values.strategy ?? 'auto';
    if (!(STRATEGIES as readonly string[]).includes(strategy)) {
      throw new CliError(`unknown strategy "${strategy}" (known: ${STRATEGIES.join(', ')})`, 2);
    }
    const targetTokens = intFlag('target-tokens', values['target-tokens'], 1);
    const upto = intFlag('upto', values.upto);
    const from = intFlag('from', values.from);
    if (command === 'stats' && (values.strategy || targetTokens !== undefined || upto !== undefined || from !== undefined)) {
      throw new CliError('--strategy, --target-tokens, --upto and --from apply to compact only', 2);
    }

    const loaded = loadTranscript(
      file,
      {
        ...(values.format !== undefined ? { format: values.format } : {}),
        estimate: values.estimate ?? false,
        ignoreNativeCompactions: values['ignore-native-compactions'] ?? false,
        ...(run !== undefined ? { run } : {}),
      },
      io.stderr,
    );
    const json = values.json ?? false;
    if (command === 'stats') {
      io.stdout(runStats(loaded, { file, json, ...(window !== undefined ? { window } : {}) }));
      return 0;
    }
    const out = runCompact(loaded, {
      strategy: strategy as Strategy,
      json,
      ...(targetTokens !== undefined ? { targetTokens } : {}),
      ...(window !== undefined ? { window } : {}),
      ...(upto !== undefined ? { upto } : {}),
      ...(from !== undefined ? { from } : {}),
      ...(values['recall-aware-masking'] ? { recallAwareMasking: true } : {}),
    });
    io.stdout(out.text);
    if (out.note) io.stderr(out.note);
    return out.exitCode;
  } catch (err) {
    if (err instanceof CliError) {
      io.stderr(`compactor: ${err.message}`);
      return err.exitCode;
    }
    io.stderr(`compactor: internal error: ${errorMessage(err)}`);
    return 1;
  }
}

if (require.main === module) {
  const code = main(process.argv.slice(2), {
    stdout: (text) => process.stdout.write(`${text}\n`),
    stderr: (line) => process.stderr.write(`${line}\n`),
  });
  process.exitCode = code;
}
