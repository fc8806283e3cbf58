import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import pluginVue from 'eslint-plugin-vue';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'data/', 'scratch/', 'src/adapters/db/generated/', 'coverage/', 'dist-desk/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-console': 'off',
    },
  },
  // The desk's Vue front end runs in the browser; its single-file components are linted here and
  // type-checked by vue-tsc (npm run typecheck:desk).
  ...pluginVue.configs['flat/recommended'].map((c) => ({ ...c, files: ['src/desk/web/**/*.vue'] })),
  {
    files: ['src/desk/web/**/*.vue'],
    languageOptions: { parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.vue'] }, globals: { ...globals.browser } },
    rules: {
      // Element Plus tables and forms read better with their attributes on one line.
      'vue/max-attributes-per-line': 'off',
      'vue/singleline-html-element-content-newline': 'off',
      'vue/multiline-html-element-content-newline': 'off',
      'vue/html-self-closing': 'off',
      'vue/html-indent': 'off',
      'vue/html-closing-bracket-newline': 'off',
      'vue/attributes-order': 'off',
    },
  },
  {
    files: ['src/desk/web/src/**/*.ts'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: ['src/emulator/workspace/**/*.js'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    // The domain layer stays pure: no SDK, no Prisma, no express, no clock.
    files: ['src/domain/**/*.ts', 'cards/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['@larksuiteoapi/*', '@prisma/*', 'express', '*/adapters/*', '**/adapters/**', 'node-cron'] }],
      'no-restricted-syntax': ['error', { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'domain code takes time as a parameter' }, { selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']", message: 'domain code takes time as a parameter' }],
    },
  },
);
