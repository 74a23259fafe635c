import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'test/e2e/node_modules/**', 'test-results/**', '**/*.generated.ts', 'scratch/**', 'bench/zoo/.cache/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // The layering rule: core is pure (runs anywhere, testable without VS Code or native code).
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [
          { name: 'vscode', message: 'src/core must not depend on VS Code; put glue in src/extension.' },
          { name: 'onnxruntime-node', message: 'Only src/runner may load onnxruntime-node.' },
          { name: 'child_process', message: 'Processes are started by src/runner and its hosts, not core.' },
        ],
        patterns: [
          { group: ['**/extension/**', '**/runner/**', '**/cli/**'], message: 'src/core must not import outer layers.' },
        ],
      }],
    },
  },
  {
    files: ['src/extension/**/*.ts', 'src/cli/**/*.ts', 'webview/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'onnxruntime-node', message: 'Inference runs only in the runner process (src/runner/child).' }],
        patterns: [{ group: ['**/runner/child/**'], message: 'Hosts start the runner as a process (src/runner/host); they never load its jobs.' }],
      }],
    },
  },
  {
    // The runner's two sides meet only at the protocol and the wire format (see .dependency-cruiser.cjs).
    files: ['src/runner/child/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ group: ['**/host/**'], message: 'The runner process never loads the host side: it may run on a device with nothing else.' }],
      }],
    },
  },
  {
    files: ['src/runner/host/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'onnxruntime-node', message: 'The host side never loads onnxruntime; the runner process does.' }],
        patterns: [{ group: ['**/child/**'], message: 'The host side starts the runner as a process; it never loads its jobs.' }],
      }],
    },
  },
);
