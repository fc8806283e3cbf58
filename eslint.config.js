import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import importX from 'eslint-plugin-import-x';
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
      'no-restricted-syntax': [
        'error',
        { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'domain code takes time as a parameter' },
        { selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']", message: 'domain code takes time as a parameter' },
      ],
    },
  },
  {
    // Handlers do no queries: they pass ctx.tx to use cases and never reach a model or the client
    // through it (ctx.tx.<model>.findMany, ctx.services.db.$queryRaw, ...).
    files: ['src/handlers/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: "MemberExpression[object.type='MemberExpression'][object.property.name='tx']", message: 'handlers do no queries: pass ctx.tx to a use case' },
        { selector: "MemberExpression[object.type='MemberExpression'][object.property.name='db']", message: 'handlers do no queries: call a use case' },
        { selector: "MemberExpression[object.type='Identifier'][object.name=/^(tx|db|prisma)$/]", message: 'handlers do no queries: pass ctx.tx to a use case' },
        { selector: 'MemberExpression[property.name=/^\\$(queryRaw|executeRaw|queryRawUnsafe|executeRawUnsafe|transaction)$/]', message: 'handlers do no queries: call a use case' },
      ],
    },
  },
  {
    // The layers of docs/conventions.md, checked: who may import whom, and no import cycles.
    files: ['src/**/*.ts', 'cards/**/*.ts'],
    ignores: ['src/adapters/db/generated/**'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [importX.createNodeResolver({ extensions: ['.ts', '.js'] })],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/extensions': ['.ts', '.js'],
    },
    rules: {
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'import-x/no-restricted-paths': [
        'error',
        {
          zones: [
            {
              target: './src/domain',
              from: ['./src/app', './src/adapters', './src/usecases', './src/handlers', './src/emulator', './src/cli', './src/ports', './cards'],
              message: 'the domain layer is pure: it imports only other domain files',
            },
            { target: './cards', from: ['./src/app', './src/adapters', './src/usecases', './src/handlers', './src/emulator', './src/cli', './src/ports'], message: 'card builders are pure: cards/* and src/domain/* only' },
            { target: './src/ports', from: ['./src/app', './src/adapters', './src/usecases', './src/handlers', './src/emulator', './src/cli'], message: 'ports name domain types only' },
            { target: './src/ports', from: './cards', except: ['./kit.ts'], message: 'ports name domain types (and the card JSON type) only' },
            { target: './src/usecases', from: ['./src/handlers', './src/emulator', './src/cli'], message: 'use cases do not know who calls them' },
            {
              target: './src/usecases',
              from: './src/adapters',
              // The transaction type is derived from the generated Prisma clients (adapters/db), and
              // ports may not import adapters: database.ts's Tx/Db types are the one exception.
              except: ['./db/database.ts'],
              message: 'use cases reach the outside through ports (src/ports, provided in AppServices); only the Tx/Db types of adapters/db/database.ts are imported',
            },
            { target: './src/handlers', from: ['./src/adapters', './src/emulator', './src/cli'], message: 'feature modules call use cases; they do not touch adapters' },
            { target: './src/app', from: ['./src/cli'], message: 'the CLI uses the app, not the other way round' },
            { target: './src/adapters', from: ['./src/handlers', './src/cli'], message: 'adapters do not know the features' },
          ],
        },
      ],
    },
  },
);
