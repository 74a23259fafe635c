/** Parameters and result of the runner's `calibrate` job (src/runner/child/jobs/calibrate.ts). */
import type { Feeds } from '../protocol/tensor';
import type { CalibrationOutputs } from './augment';
import type { CalibrationState } from './state';

export interface CalibrateParams {
  /** The calibration model (buildCalibrationModel), written to a file by the host. */
  modelPath: string;
  outputs: CalibrationOutputs;
  /** This chunk's samples; the host sends a large set in chunks so neither side holds it all. */
  samples: Feeds[];
  /** The state so far (absent on the first chunk). */
  state: CalibrationState;
  /** Graph optimisation for the calibration session (default 'disabled', as onnxruntime's calibrator; the SPTQ operator passes 'all'). */
  optimization?: 'disabled' | 'basic' | 'extended' | 'all';
  threads?: number;
  /**
   * Samples per onnxruntime run, stacked along axis 0 (calibrationBatch decides; default 1). If a
   * stacked run fails the runner goes on one sample at a time and says so in `batch` of the result.
   */
  batch?: number;
  /** The final chunk: the runner releases the session afterwards. */
  last?: boolean;
}

export interface CalibrateResult {
  state: CalibrationState;
  /** Time of each onnxruntime run (one per batch), ms. */
  inferenceMs: number[];
  /** The batch size actually used (1 after a stacked run failed). */
  batch: number;
  /** Why a stacked run failed, when it did. */
  batchFallback?: string;
  /** Session creation time (0 when the previous chunk's session was reused). */
  sessionMs: number;
  /** Peak resident memory of the runner during this chunk, MB. */
  peakRssMB: number;
}
