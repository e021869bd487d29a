// The labels live with the engine's usage categories, so the CLI and the UI name them alike.
export { USAGE_CATEGORY_LABELS as CATEGORY_LABELS } from '../../src/compaction/usage';
