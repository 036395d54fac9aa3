import react from '@vitejs/plugin-react'
import { defineConfig, type Plugin } from 'vite'

/** `npm run dev`: the runtime configuration the static server gives in production, from GUILD_API_URL. */
const devConfigJson: Plugin = {
  name: 'guild-dev-config-json',
  configureServer(server) {
    server.middlewares.use('/config.json', (_req, res) => {
      res.setHeader('content-type', 'application/json')
      res.end(JSON.stringify({ apiUrl: process.env.GUILD_API_URL ?? 'http://127.0.0.1:3000' }))
    })
  },
}

// Hashed file names under assets/ are what the static server caches for a year (server/static-site.ts).
export default defineConfig({
  plugins: [react(), devConfigJson],
  // The workspace root holds another React (a test tool's): one copy, this package's, in the app.
  resolve: { dedupe: ['react', 'react-dom'] },
  build: { outDir: 'dist/app', emptyOutDir: true, reportCompressedSize: true },
  server: { host: '127.0.0.1', port: Number(process.env.WEB_PORT ?? 3003), strictPort: true },
})
