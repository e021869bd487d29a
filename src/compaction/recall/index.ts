/** Recall: what compaction took out of the context, given back from the session's log (README, "Recall"). */
export { recallDocuments, type RecallDoc, type RecallDocKind } from './documents';
export { formatRecallById, recallById, type RecallByIdResult } from './recallById';
export { formatSearch, queryTerms, searchSession, searchSessionInSlices, snippetsOf, termsOf, type RecallHit, type SearchOptions, type SearchResult } from './search';
export { recallHint } from '../tiers/mask';
export { answerRecall, RecallInputSchema, type RecallAnswer, type RecallInput } from './recall';
