/**
 * The module graph's rules, checked by `npm run check:cycles` (CI, and npm test): no cycles (type-only
 * imports included) and the zones of the architecture. ESLint's no-restricted-imports says the same
 * for the outer layers as you type; this checks the whole graph.
 */
const CORE_BELOW_PIPELINE = '^src/core/(?!pipeline/|protocol/panel\\.ts)';

module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', comment: 'Import cycles, type-only imports included.', from: {}, to: { circular: true } },
    {
      name: 'core-is-pure', severity: 'error',
      comment: 'src/core runs anywhere: no VS Code, no onnxruntime, no processes, no outer layer.',
      from: { path: '^src/core/' },
      to: { path: ['^src/(runner|extension|cli)/', '^webview/', '^(vscode|onnxruntime-node|child_process)$', 'node_modules/onnxruntime-node/'] },
    },
    {
      name: 'runner-child-not-host', severity: 'error',
      comment: 'The runner process never loads the host side (it may run on a device with nothing else).',
      from: { path: '^src/runner/child/', pathNot: '\\.test\\.ts$' }, to: { path: '^src/runner/host/' },
    },
    {
      name: 'runner-host-not-child', severity: 'error',
      comment: 'The host side never loads onnxruntime or job code; it starts the child as a process.',
      from: { path: '^src/runner/host/' }, to: { path: ['^src/runner/child/', 'node_modules/onnxruntime-node/'] },
    },
    {
      name: 'onnxruntime-only-in-runner-child', severity: 'error',
      from: { path: '^(src/(core|extension|cli)|webview)/' }, to: { path: 'node_modules/onnxruntime-node/' },
    },
    {
      name: 'webview-is-a-browser-bundle', severity: 'error',
      comment: 'The panel bundle uses core logic and the panel protocol, never host code.',
      from: { path: '^webview/' }, to: { path: ['^src/(runner|extension|cli)/', '^vscode$'] },
    },
    {
      name: 'extension-and-cli-apart', severity: 'error',
      from: { path: '^src/(extension|cli)/' }, to: { path: ['^src/runner/child/'] },
    },
    {
      name: 'pipeline-is-the-top-of-core', severity: 'error',
      comment: 'Core passes do not reach up into the orchestration that calls them.',
      from: { path: CORE_BELOW_PIPELINE }, to: { path: '^src/core/pipeline/' },
    },
    {
      name: 'study-below-recommend', severity: 'error',
      comment: 'The study is data the engine consults; it does not call the engine.',
      from: { path: '^src/core/study/' }, to: { path: '^src/core/(recommend|report|pipeline)/' },
    },
    {
      name: 'stats-is-a-leaf', severity: 'error',
      comment: 'Statistics use only themselves and the result types.',
      from: { path: '^src/core/stats/' }, to: { path: '^src/core/', pathNot: '^src/core/(stats/|results\\.ts)' },
    },
    {
      name: 'protocol-leaves', severity: 'error',
      comment: 'Tensor and stage types are leaves every job type builds on.',
      from: { path: '^src/core/protocol/(tensor|stage)\\.ts$' }, to: { path: '^src/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['node_modules', '^dist/', '^test/e2e/'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    combinedDependencies: false,
  },
};
