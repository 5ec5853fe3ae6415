// Lint rules: typescript-eslint's type-aware recommended set, plus the project's own
// guard that configuration is read in one place (platform/config.ts).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', '.veza/', '**/generated/', 'schema/*.graphql'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      // Async functions that satisfy an async interface without awaiting are fine.
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'Read configuration in platform/config.ts and pass it down.' }],
    },
  },
  {
    files: ['platform/config.ts', 'platform/process.ts', 'platform/embedded/main.ts', 'subgraphs/main.ts', 'gateway/main.ts', 'tools/**', 'tests/**', 'bench/**', '**/*.test.ts'],
    rules: { 'no-restricted-properties': 'off' },
  },
  { files: ['eslint.config.js'], ...tseslint.configs.disableTypeChecked },
);
