/**
 * Accuracy and fidelity metrics, in percent (SQNR in dB). Pure functions over predictions, so the
 * same code scores every operator on the same samples.
 */

/** Top-1 accuracy: share of samples whose predicted class equals the label, %. */
export function top1Accuracy(pred: ArrayLike<number>, labels: ArrayLike<number>, idx?: ArrayLike<number>): number {
  const n = idx ? idx.length : pred.length;
  let ok = 0;
  for (let j = 0; j < n; j++) {
    const i = idx ? idx[j]! : j;
    if (pred[i] === labels[i]) ok++;
  }
  return n ? (100 * ok) / n : NaN;
}

/** F1 of the positive class for binary classification, %. 0 when there are no true positives. */
export function binaryF1(pred: ArrayLike<number>, labels: ArrayLike<number>, positive = 1, idx?: ArrayLike<number>): number {
  const n = idx ? idx.length : pred.length;
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (let j = 0; j < n; j++) {
    const i = idx ? idx[j]! : j;
    const p = pred[i] === positive;
    const l = labels[i] === positive;
    if (p && l) tp++;
    else if (p) fp++;
    else if (l) fn++;
  }
  return tp === 0 ? 0 : (200 * tp) / (2 * tp + fp + fn);
}

/**
 * Mean intersection-over-union over classes, %, accumulated over all pixels of the chosen samples.
 * Classes absent from both prediction and labels are left out; `ignoreIndex` pixels are skipped.
 */
export function meanIoU(
  predMasks: ArrayLike<number>[], labelMasks: ArrayLike<number>[], numClasses: number,
  opts: { ignoreIndex?: number; idx?: ArrayLike<number> } = {},
): number {
  const inter = new Float64Array(numClasses);
  const union = new Float64Array(numClasses);
  const n = opts.idx ? opts.idx.length : predMasks.length;
  for (let j = 0; j < n; j++) {
    const s = opts.idx ? opts.idx[j]! : j;
    const p = predMasks[s]!;
    const l = labelMasks[s]!;
    for (let k = 0; k < l.length; k++) {
      const lv = l[k]!;
      if (lv === opts.ignoreIndex) continue;
      const pv = p[k]!;
      if (pv === lv) { if (lv < numClasses) { inter[lv]++; union[lv]++; } }
      else {
        if (lv < numClasses) union[lv]++;
        if (pv < numClasses) union[pv]++;
      }
    }
  }
  let sum = 0;
  let count = 0;
  for (let c = 0; c < numClasses; c++) if (union[c]! > 0) { sum += inter[c]! / union[c]!; count++; }
  return count ? (100 * sum) / count : NaN;
}

/** Share of samples where two models predict the same class, %. */
export function top1Agreement(a: ArrayLike<number>, b: ArrayLike<number>, idx?: ArrayLike<number>): number {
  return top1Accuracy(a, b, idx);
}

/**
 * Signal-to-quantization-noise ratio of `test` against the reference outputs, dB:
 * 10·log10(Σ ref² / Σ (ref − test)²). Infinity when identical.
 */
export function sqnrDb(ref: ArrayLike<number>, test: ArrayLike<number>): number {
  if (ref.length !== test.length) throw new Error(`sqnrDb: ${ref.length} vs ${test.length} values`);
  let sig = 0;
  let noise = 0;
  for (let i = 0; i < ref.length; i++) {
    const r = ref[i]!;
    sig += r * r;
    noise += (r - test[i]!) ** 2;
  }
  if (noise === 0) return Infinity;
  return 10 * Math.log10(sig / noise);
}
