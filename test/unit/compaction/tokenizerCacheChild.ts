// Child process for tokenizerCache.test.ts: loads o200k_base once (the module
// state is per process) and prints how it was loaded and a few counts.
import { loadEncoder } from '../../../src/compaction/tokens/tiktokenAssets';

const TEXTS = ['hello world', 'Привет, мир! 你好世界', 'x'.repeat(300), 'function f(a, b) {\n  return a ** b;\n}\n'];
const encoder = loadEncoder('o200k_base');
process.stdout.write(JSON.stringify({ loadedFrom: encoder.loadedFrom, counts: TEXTS.map((t) => encoder.count(t)), viaBindings: TEXTS.map((t) => encoder.tiktoken.encode_ordinary(t).length) }));
