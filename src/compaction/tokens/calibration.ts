/**
 * Provider-reported usage corrects local counts: a model whose tokenizer we do
 * not have (Claude, Gemini) is counted with o200k_base, and the reported input
 * tokens of its last request tell us by how much we are off.
 */
import { CALIBRATION_MAX_FACTOR, CALIBRATION_MIN_FACTOR } from '../constants';

export interface Calibration {
  /** reported / counted; multiply local counts by it. 1 when unusable. */
  factor: number;
  /** reported − counted, in tokens. */
  correctionTokens: number;
  counted: number;
  reported: number;
  /** False when the numbers cannot be compared (zero, or a factor out of range). */
  usable: boolean;
}

/** Pure: compares what we counted for a request's input with what the provider reported. */
export function calibrate(counted: number, reported: number): Calibration {
  const base = { counted, reported, correctionTokens: reported - counted };
  if (!(counted > 0) || !(reported > 0)) return { ...base, factor: 1, usable: false };
  const factor = reported / counted;
  if (factor < CALIBRATION_MIN_FACTOR || factor > CALIBRATION_MAX_FACTOR) return { ...base, factor: 1, usable: false };
  return { ...base, factor, usable: true };
}

/** Applies a calibration to a local count (rounded). */
export function applyCalibration(tokens: number, calibration: Calibration | undefined): number {
  if (!calibration?.usable) return tokens;
  return Math.round(tokens * calibration.factor);
}
