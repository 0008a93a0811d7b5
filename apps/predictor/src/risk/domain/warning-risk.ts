import type { EarlyWarning } from './early-warning.detector.js';

export interface WarningRiskOptions {
  /** Score of a node with no warning (default 0.01). */
  readonly baseline?: number;
  /** Odds multiplier of one warning at its detector's threshold (default 4). */
  readonly oddsPerWarning?: number;
  /** Evidence beyond this many thresholds adds nothing (default 3). */
  readonly maxStrength?: number;
}

/**
 * The failure score used before any failure has been recorded to train the classifier on:
 * baseline odds, multiplied for each early warning by oddsPerWarning raised to the
 * warning's strength (its evidence in units of the detector's threshold, capped). It is a
 * ranking that rises with the number and strength of warnings, not a calibrated
 * probability; the node-risk event names it as a different model so consumers can tell.
 */
export function warningRiskScore(
  warnings: readonly EarlyWarning[],
  options: WarningRiskOptions = {},
): number {
  const baseline = options.baseline ?? 0.01;
  const perWarning = options.oddsPerWarning ?? 4;
  const maxStrength = options.maxStrength ?? 3;
  let logOdds = Math.log(baseline / (1 - baseline));
  for (const warning of warnings) {
    const strength = warning.reason === 'level-shift' ? Math.max(1, warning.shiftSigmas / 4) : 1;
    logOdds += Math.min(strength, maxStrength) * Math.log(perWarning);
  }
  return 1 / (1 + Math.exp(-logOdds));
}
