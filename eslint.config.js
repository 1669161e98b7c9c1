// @ts-check
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/**
 * Correctness rules only; layout is prettier's job, except the length of comments and strings, which
 * prettier leaves long: `max-len` holds every line to prettier's 120 columns (URLs and regular
 * expressions excepted). `any` is allowed where it is already explicit (validators of untrusted
 * JSON), and unused names starting with `_` are deliberate.
 */
export default tseslint.config(
  { ignores: ['node_modules/', 'bench-results/', 'docs/', 'dist/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2022, sourceType: 'module', globals: globals.node },
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      eqeqeq: ['error', 'always'],
      // Input validators name the control characters they refuse.
      'no-control-regex': 'off',
      'no-console': 'off',
      // Deprecated in core since ESLint 8.53 for @stylistic/max-len, but still there until ESLint 11.
      'max-len': ['error', { code: 120, ignoreUrls: true, ignoreRegExpLiterals: true }],
    },
  },
  // The simulator page's scripts run in the browser.
  { files: ['tools/simulator/public/**/*.js'], languageOptions: { globals: globals.browser } },
);
