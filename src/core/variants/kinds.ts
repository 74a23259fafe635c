/** The white-box operators a user brings as their own model files (the study's Distillation, Pruning, QAT). */
export type VariantKind = 'distilled' | 'pruned' | 'qat';
