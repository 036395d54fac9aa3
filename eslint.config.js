// @ts-check
import js from '@eslint/js'
import prettier from 'eslint-config-prettier'
import { defineConfig, globalIgnores } from 'eslint/config'
import reactHooks from 'eslint-plugin-react-hooks'
import globals from 'globals'
import tseslint from 'typescript-eslint'

// The programs the type-aware rules use: tsconfig.eslint.json is every Node-side file in one program (parsed
// and type-checked once, where the per-package tsconfigs would redo the shared code in each);
// permission-service cannot join it (it declares FastifyInstance.config as its own type, as guild-api does),
// nor can the web app's browser code and browser tests (DOM lib, JSX). Not `projectService`: it only finds
// files named tsconfig.json, and here tests are typed by tsconfig.test.json files.
// Cross-package imports resolve to the packages' built dist/*.d.ts, so `tsc -b` runs first (see `lint:eslint`).
const TYPED_PROJECTS = [
  './tsconfig.eslint.json',
  './services/permission-service/tsconfig.test.json',
  './services/web/tsconfig.app.json',
  './services/web/tsconfig.test.json',
]

// TypeScript files that no tsconfig includes (tool configs, a hand-written declaration file): linted without types.
const UNTYPED_TS = ['packages/db/drizzle.config.ts', 'services/web/vite.config.ts', 'chaos/fuzz/index.d.mts']

export default defineConfig(
  globalIgnores([
    '**/dist/',
    '**/coverage/',
    '**/.tap/',
    // Generated: openapi-typescript's output, checked byte for byte by `generate-api.mjs --check`.
    'services/web/src/api/schema.d.ts',
    'packages/db/migrations/',
    'bench/results/',
    'chaos/results/',
  ]),

  js.configs.recommended,

  {
    files: ['**/*.{ts,tsx,mts,cts}'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { project: TYPED_PROJECTS, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // Fastify takes plugins, hooks and handlers as async functions: `async` is how one says "promise style,
      // no done callback", awaited or not (a plugin without it and without `done` never finishes loading).
      // Most of this rule's findings here were such functions; an async function that forgets an await is
      // caught by no-floating-promises instead.
      '@typescript-eslint/require-await': 'off',
      // `const { secret: _secret, ...rest } = x` is how code here drops a field.
      '@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true }],
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          // tap queues `t.test(...)` subtests itself and reports their failures: awaiting each is not needed.
          allowForKnownSafePromises: [{ from: 'package', name: 'PromiseWithSubtest', package: '@tapjs/core' }],
        },
      ],
    },
  },

  {
    // Tests assert on parsed JSON and YAML (inject().json(), manifests): `any` there is the value under test,
    // and the assertion is its check. The no-unsafe family exists to keep `any` out of running code.
    files: ['**/test/**/*.ts', 'services/web/e2e/**/*.ts'],
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
    // Every control character in a regex here is deliberate: the code rejects control characters in keys,
    // patterns, settings and redirects, and tests match terminal escapes.
    rules: { 'no-control-regex': 'off' },
  },

  {
    files: UNTYPED_TS,
    extends: [tseslint.configs.disableTypeChecked],
  },

  {
    files: ['**/*.{js,mjs,cjs}'],
    languageOptions: { globals: globals.node },
  },

  {
    files: ['services/web/src/**/*.{ts,tsx}'],
    extends: [reactHooks.configs.flat.recommended],
    languageOptions: { globals: globals.browser },
  },

  // Turns off every stylistic rule that would disagree with Prettier, which owns layout.
  prettier,

  {
    // After eslint-config-prettier, which turns it off: Prettier wraps code at 120 but leaves comments,
    // strings, template literals and regexes long. Every line is held to 120 here: split a long message
    // with + (or name it), a long regex with new RegExp(a.source + b.source). Only a URL that cannot be
    // split, and a line eslint directive with its reason, may run longer.
    rules: {
      'max-len': [
        'error',
        {
          code: 120,
          ignoreUrls: true,
          ignorePattern: '^\\s*// eslint-disable',
        },
      ],
    },
  },
)
