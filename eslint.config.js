import js from '@eslint/js';
import nx from '@nx/eslint-plugin';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

// Imports a pure domain folder must not have: frameworks, brokers, databases, ML runtimes,
// tracing, the filesystem. Keeping them out is what lets the same code run in unit tests
// and in a virtual-time simulator.
const frameworkImports = [
  { group: ['@nestjs/*'], message: 'domain code is framework-free: keep Nest in the adapters' },
  {
    group: ['kafkajs', '@shardcast/platform'],
    message: 'domain code does no I/O: publish through an adapter',
  },
  { group: ['typeorm', 'pg'], message: 'domain code does no I/O: persist through a repository adapter' },
  { group: ['@tensorflow/*'], message: 'keep TensorFlow.js in a model driver outside domain/' },
  { group: ['@opentelemetry/*'], message: 'tracing belongs to the adapters' },
  { group: ['lmdb'], message: 'storage belongs to the adapters' },
];

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/node_modules/**',
      '.run/**',
      '.tools/**',
      '.nx/**',
      'infra/kafka/lib/**',
      'coverage/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { project: ['./tsconfig.spec.json'], tsconfigRootDir: import.meta.dirname },
    },
    plugins: { '@nx': nx },
    rules: {
      // A floating promise in a consumer is a lost message.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-extraneous-class': 'off',
      '@nx/enforce-module-boundaries': [
        'error',
        {
          allow: [],
          depConstraints: [
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'kind:contracts', onlyDependOnLibsWithTags: [] },
          ],
          banTransitiveDependencies: false,
        },
      ],
    },
  },
  {
    // The contracts lib is the wire format only: no framework, broker client or ML runtime.
    files: ['libs/contracts/src/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: frameworkImports }] },
  },
  {
    files: ['**/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'node:fs', message: 'domain code does no I/O' },
            { name: 'fs', message: 'domain code does no I/O' },
            { name: 'node:fs/promises', message: 'domain code does no I/O' },
          ],
          patterns: frameworkImports,
        },
      ],
    },
  },
  {
    // Specs may read fixtures and use loose test doubles.
    files: ['**/*.spec.ts', '**/*.int-spec.ts', '**/testing/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      globals: Object.fromEntries(
        [
          'process',
          'console',
          'Buffer',
          'setTimeout',
          'clearTimeout',
          'setInterval',
          'fetch',
          'AbortSignal',
          'URL',
        ].map((g) => [g, 'readonly']),
      ),
    },
  },
  prettier,
);
