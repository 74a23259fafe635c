/** What every operator-building step of a run receives: the model, its data, the runner, and where to report. */
import type { Inspection } from '../../inspect/inspect';
import type { LoadedModel } from '../../onnx/io';
import type { JobOptions, RunnerHost } from '../../protocol/runner';
import type { OperatorId } from '../../results';
import type { PreparedData } from '../data';
import type { AdvisorRequest, AdvisorStage } from '../types';
import type { Variant } from './variants';

export interface BuildContext {
  req: AdvisorRequest;
  loaded: LoadedModel;
  inspection: Inspection;
  variants: Variant[];
  data: PreparedData;
  runner: RunnerHost;
  outDir: string;
  hostCores: number;
  jobOpts: JobOptions;
  progress: (stage: AdvisorStage, message: string, within?: number, current?: { operator: OperatorId }) => void;
  timings: Record<string, number>;
  log: (line: string) => void;
}

export function stem(p: string): string {
  return p.replace(/^.*[\\/]/, '').replace(/\.onnx$/i, '');
}
