import { builtinModules } from 'node:module';
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';

// The import table of docs/architecture.md ("Dependency rules"): which layers (folders of src/) each layer may
// import. Anything not listed is an error; an exception the code keeps is written beside its layer with the reason.
const LAYERS = {
  domain: [],
  stats: ['domain'],
  store: ['domain'],
  artifacts: ['domain'],
  integrations: ['domain'],
  embedded: ['domain'],
  // The default SQLite file name belongs to the store that opens it; the W&B client is built from its settings here.
  config: ['domain', 'store', 'integrations'],
  // The A/B experiment id comes from the abTest contract (contracts only, see CONTRACTS).
  activities: ['domain', 'stats', 'store', 'artifacts', 'integrations', 'workflows'],
  workflows: ['domain', 'stats', 'activities'],
  worker: ['domain', 'activities', 'store', 'artifacts', 'integrations', 'config', 'embedded', 'workflows'],
  // The embedded setup registers search attributes and starts the background worker (worker identity, pid files).
  client: ['domain', 'stats', 'store', 'artifacts', 'integrations', 'config', 'embedded', 'worker', 'workflows'],
  // modelctl serve: the HTTP face of the library, so what client may import and the client itself.
  api: ['domain', 'stats', 'store', 'artifacts', 'integrations', 'config', 'embedded', 'worker', 'workflows', 'client'],
  cli: [
    'api',
    'domain',
    'stats',
    'store',
    'artifacts',
    'integrations',
    'config',
    'embedded',
    'worker',
    'workflows',
    'client',
    'demo',
  ],
  // run-demo.ts drives the whole lifecycle through the client, as a user would.
  demo: ['domain', 'config', 'client', 'workflows'],
};

// Outside src/workflows, only the contracts (and the registry of them) may be imported: never workflow code.
const CONTRACTS = '(?!([a-z-]+\\.contract|contract|registry)$)';

/** The no-restricted-imports patterns that keep `layer` to its row of the table. */
function layerPatterns(layer) {
  const allowed = LAYERS[layer];
  const forbidden = Object.keys(LAYERS).filter((l) => l !== layer && !allowed.includes(l));
  const patterns = [
    {
      regex: `^(\\.\\./)+(${forbidden.join('|')})(/|$)`,
      message: `src/${layer} may import only ${allowed.length > 0 ? allowed.join(', ') : 'its own modules'} (docs/architecture.md, "Dependency rules").`,
    },
  ];
  if (allowed.includes('workflows') && layer !== 'workflows') {
    patterns.push({
      regex: `^(\\.\\./)+workflows(/${CONTRACTS}[^/]*)?$`,
      message: 'Import a workflow contract (src/workflows/<name>.contract.ts) or the registry, never workflow code.',
    });
  }
  return patterns;
}

const nodeBuiltins = builtinModules.filter((m) => !m.startsWith('_'));
const noNode = (message) => [...nodeBuiltins.flatMap((m) => [m, `node:${m}`]).map((name) => ({ name, message }))];
const ioPackages = [
  'better-sqlite3',
  'pg',
  'kysely',
  'downsample',
  'simple-git',
  '@google-cloud/storage',
  '@temporalio/client',
  '@temporalio/worker',
  '@temporalio/activity',
];

/** Extra restrictions of the pure layers: no Node built-ins, no I/O packages. */
const PURE = {
  domain: 'The domain is pure: no Node built-ins, no I/O.',
  stats: 'Statistics are pure: no Node built-ins, no I/O.',
  workflows: 'Workflows must be deterministic: no Node built-ins and no I/O; call an activity instead.',
};

function layerBlock(layer) {
  const paths =
    layer in PURE ? [...noNode(PURE[layer]), ...ioPackages.map((name) => ({ name, message: PURE[layer] }))] : [];
  const patterns = layerPatterns(layer);
  if (layer === 'workflows') {
    patterns.push({
      group: ['**/activities', '**/activities/*'],
      allowTypeImports: true,
      message: 'Workflows import activity types only (import type).',
    });
  }
  return {
    files: [`src/${layer}/**/*.ts`],
    rules: { 'no-restricted-imports': ['error', { paths, patterns }] },
  };
}

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.tools/**', 'coverage/**', 'web/generated/**', '**/*.js', '**/*.mjs'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: 'tsconfig.json' })],
      'import-x/extensions': ['.ts'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
    },
  },
  ...Object.keys(LAYERS).map(layerBlock),
  // The dashboard runs in the browser: it talks to the server over HTTP only, typed by web/generated/api.d.ts.
  {
    files: ['web/**/*.ts', 'web/**/*.tsx'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: 'web/tsconfig.json' })],
      'import-x/extensions': ['.ts', '.tsx'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts', '.tsx'] },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'no-restricted-imports': [
        'error',
        {
          paths: noNode('The dashboard runs in the browser: no Node built-ins.'),
          patterns: [
            {
              regex: '^(\\.\\./)+src(/|$)',
              message: 'The dashboard talks to the server over HTTP; its types come from web/generated/api.d.ts.',
            },
          ],
        },
      ],
    },
  },
);
