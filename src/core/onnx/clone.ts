/** Copying models without copying their weights. */
import type { ModelProto } from './types';

/**
 * A copy of `m` whose graph can be rewritten freely — nodes, attributes, inputs, outputs and the
 * initializer list itself — while the initializer tensors, the megabytes, are shared with `m`.
 * Passes working on the copy must replace a weight tensor, never change one in place.
 */
export function cloneSharingWeights(m: ModelProto): ModelProto {
  const g = m.graph;
  if (!g) return structuredClone(m);
  const copy: ModelProto = structuredClone({ ...m, graph: { ...g, initializer: [] as typeof g.initializer } });
  copy.graph!.initializer = [...g.initializer];
  return copy;
}
