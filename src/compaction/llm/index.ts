/** The LLM summarize tier: the pipeline and the interfaces it needs injected. */
export { summarizeCompaction } from './pipeline';
export type { LlmCompactOptions } from './pipeline';
export { isSummarizerError, realSleep, SummarizerError } from './summarizer';
export type { FileReader, Sleep, Summarizer, SummarizeRequest, SummarizeResponse, SummarizerErrorKind, SummarizerMessage } from './summarizer';
export { checkSummary, hasMarker, isErrorText, stripAnalysis, stripMarker } from './summaryText';
export { SUMMARY_MARKER } from './llmConstants';
