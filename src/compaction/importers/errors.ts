/** Why an import failed as a whole (a single bad line is a warning, never this). */
export type ImportErrorCode = 'unknown_format' | 'unparsable' | 'no_messages' | 'invalid_option';

/** Thrown by `importTranscript` when nothing usable can be loaded. */
export class ImportError extends Error {
  readonly code: ImportErrorCode;
  constructor(code: ImportErrorCode, message: string) {
    super(message);
    this.name = 'ImportError';
    this.code = code;
  }
}

/** A problem with one input record: reported, skipped, and the rest still loads. */
export interface ImportWarning {
  /** 1-based line of the input text; 0 when the format is one JSON document (the message then names the JSON path). */
  line: number;
  message: string;
}
