// Lint for the whole repository: ESLint's and typescript-eslint's recommended rules, type-aware
// (each file is checked with the types of its own tsconfig: client/ has its own, browser-side).
// Formatting is Prettier's job (.prettierrc.json), so no rule here is about layout.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(
  { ignores: ['client/dist/', '.proctor-data/'] },
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
      globals: globals.node,
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // Off: an async function without an await is how this code implements a Promise-returning
      // interface (fakes, handlers), and it turns a synchronous throw into a rejection the caller
      // already handles. no-floating-promises and no-misused-promises catch the real mistakes.
      '@typescript-eslint/require-await': 'off',
      // Passing a caught value or an abort reason on unchanged (`reject(error)`,
      // `reject(signal.reason)`, typed unknown and any) invents no non-Error rejection; anything
      // typed more narrowly must still be an Error.
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingUnknown: true, allowThrowingAny: true }],
      // A `let` that closures declared before it read (a teardown that runs whenever the page ends)
      // cannot become a const: the closure could run before the assignment.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      // `const { omitted, ...rest } = value` is how a field is dropped from a copy.
      '@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true }],
    },
  },
  {
    files: ['client/src/**'],
    languageOptions: { globals: globals.browser },
  },
  {
    // Off in tests and benches: they read GraphQL responses through `ok<T = any>()` and page
    // results through `evaluate()`, then assert on the fields they expect; spelling out every
    // response shape would add types that nothing but the assertion after them checks.
    files: ['test/**', 'bench/**'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    // Plain JavaScript (the CLI launcher, this file) is in no tsconfig, so it gets no type information.
    files: ['**/*.js'],
    extends: [tseslint.configs.disableTypeChecked],
  },
);
