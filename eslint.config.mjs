import tseslint from 'typescript-eslint';

const nodeBuiltins = [
  'fs',
  'fs/promises',
  'path',
  'os',
  'child_process',
  'net',
  'http',
  'https',
  'http2',
  'crypto',
  'dns',
  'tls',
  'dgram',
  'cluster',
  'worker_threads',
  'stream',
  'zlib',
  'readline',
  'process',
  'timers',
  'vm',
  'v8',
  'perf_hooks',
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.tools/**', 'coverage/**', '**/*.js', '**/*.mjs'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Workflow code is replayed: it must be deterministic, so no Node built-ins and no I/O libraries.
    files: ['src/workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            ...nodeBuiltins
              .flatMap((m) => [m, `node:${m}`])
              .map((name) => ({
                name,
                message: 'Workflows must be deterministic: no Node built-ins; do I/O in an activity.',
              })),
            ...[
              'better-sqlite3',
              'pg',
              'kysely',
              'simple-git',
              '@google-cloud/storage',
              '@wandb/sdk',
              '@temporalio/client',
              '@temporalio/worker',
              '@temporalio/activity',
            ].map((name) => ({ name, message: 'Workflows must not do I/O; call an activity instead.' })),
          ],
          patterns: [
            { group: ['node:*'], message: 'Workflows must be deterministic: no Node built-ins.' },
            {
              group: [
                '**/store',
                '**/store/*',
                '**/artifacts',
                '**/artifacts/*',
                '**/integrations',
                '**/integrations/*',
                '**/client',
                '**/client/*',
                '**/cli',
                '**/cli/*',
                '**/worker',
                '**/worker/*',
              ],
              message: 'Workflows import only domain, stats and activity types.',
            },
            {
              group: ['**/activities', '**/activities/*'],
              allowTypeImports: true,
              message: 'Workflows import activity types only (import type).',
            },
          ],
        },
      ],
    },
  },
);
