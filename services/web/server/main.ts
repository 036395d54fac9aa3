import { runServer } from '@guild/service-kit'
import { buildApp } from './app.js'
import { DEFAULT_PORT } from './config.js'

await runServer({ name: 'web', build: () => buildApp(), defaultPort: DEFAULT_PORT })
