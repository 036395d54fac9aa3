import { runLauncher } from './launcher/run.js'

// `npm start`: the whole system in the foreground on embedded defaults (see README "Configuration").
runLauncher({ argv: process.argv.slice(2), env: process.env, out: process.stdout, err: process.stderr }).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error('start: failed:', err)
    process.exit(1)
  },
)
