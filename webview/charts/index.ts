/** The panel's three charts. */
export { applyChartDefaults } from './managed';
export { latencyChart } from './latency';
export { scatterChart } from './scatter';
export { sqnrChart } from './sqnr';
