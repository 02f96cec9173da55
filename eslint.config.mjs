// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', '.cache/**', 'samples/**', 'test-results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Only src/extension may import vscode: the trainer, readers and models run under plain Node.
      'no-restricted-imports': ['error', { paths: [{ name: 'vscode', message: 'Only src/extension/ imports vscode.' }] }],
    },
  },
  { files: ['src/extension/**', 'test/vscode/**'], rules: { 'no-restricted-imports': 'off' } },
  { files: ['**/*.mjs', 'scripts/**', 'bench/**'], languageOptions: { globals: { process: 'readonly', console: 'readonly' } } },
);
