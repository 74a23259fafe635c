/**
 * The partition pass: find the cuts of a model, price them for a pair of tiers and a link, and
 * extract a head and a tail. The orchestrator calls `bestCuts` and `extractPartition`.
 */
export { enumerateCuts, graphFacts, describeCut } from './cuts';
export { extractPartition, type Partition, type ExtractOptions, type CutRef } from './extract';
export { bestCuts, priceCuts, nodeCosts, nodeKey, type PriceOptions } from './pricing';
export { inferElemTypes } from './elem-types';
export type {
  Cut, CutTensor, CutOptions, CutPlan, CutListing, PartitionInfo, NodeTimes, LinkSpec, Placement, PricedCut,
} from './types';
