import { defineConfig } from 'drizzle-kit'

// `npm run generate -w @guild/db -- --name <what-changed>` writes the next migration into
// migrations/ from the schema; commit both. migrate() applies them at start.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/schema/index.ts',
  out: './migrations',
  strict: true,
  verbose: true,
})
