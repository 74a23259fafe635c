/**
 * The partition pass: find the cuts of a model, price them for a pair of tiers and a link, and
 * extract a head and a tail. The orchestrator calls `rankCutsForTiers` (or `bestCuts` with its own
 * profiles) and `extractPartition`; the runner jobs `profile` and `verifyPartition` do the measuring.
 */
export { enumerateCuts, graphFacts, describeCut, unsizedTensors } from './cuts';
export { extractPartition, type Partition, type ExtractOptions, type CutRef } from './extract';
export { bestCuts, priceCuts, nodeCosts, nodeKey, type PriceOptions } from './pricing';
export { rankCutsForTiers, listCutsMeasured, combinedLink, scaleNodeTimes, type TierPricing, type TierPricingOptions } from './tiers';
export { inferElemTypes } from './elemTypes';
export { describeWrongAnnotation } from './annotations';
export { verifyCut, verifyCuts, type CutCheck, type VerifyCutsOptions } from './verify';
export type {
  Cut, CutTensor, CutOptions, CutPlan, CutListing, PartitionInfo, NodeTimes, LinkSpec, Placement, PricedCut, WrongAnnotation,
} from './types';
