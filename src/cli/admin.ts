/** `npm run admin -- <command>`: see admin-commands.ts for the commands. */
import { runAdmin } from './admin-commands.js'

process.exitCode = await runAdmin(process.argv.slice(2), process.env, {
  out: (line) => process.stdout.write(line + '\n'),
  err: (line) => process.stderr.write(line + '\n')
})
