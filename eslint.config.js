// Lint for the tap, its tests and benchmarks, and the simulator package: the recommended rules of
// ESLint and typescript-eslint, with type information where the code is TypeScript.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      // An underscore marks what a signature or destructuring must name but the body does not use.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', caughtErrors: 'none' },
      ],
    },
  },
  {
    // Tests read parsed protocol messages (JSON lines) by path; typing every message shape would
    // restate the protocol schemas they validate those messages against. The tap's own code has none.
    files: ['test/**', 'packages/*/test/**', 'bench/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
