import tseslint from 'typescript-eslint';

// Packages whose import would give packages/core I/O. core must stay pure.
export const CORE_FORBIDDEN = [
  '@actions/*',
  '@octokit/*',
  'node:fs',
  'node:fs/*',
  'fs',
  'fs/*',
  'node:http',
  'node:https',
  'http',
  'https',
  'node:net',
  'net',
  'node:child_process',
  'child_process',
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '**/*.js', '**/*.mjs', 'test/lint-fixtures/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['packages/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: CORE_FORBIDDEN,
              message: 'packages/core is pure domain logic: no I/O imports. Put I/O in packages/adapters, packages/runtime or the action entry.',
            },
          ],
        },
      ],
    },
  },
);
