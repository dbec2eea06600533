/**
 * `npm run nurture -- <command>`: operator and marketer tools that run on this machine (back-tests,
 * template checks, scenario simulation, the cost model). Each capability registers its commands in its
 * own module under cli/commands/.
 */
import { Command } from 'commander';
import { commands } from './commands/index.js';

const program = new Command('nurture')
  .description('Nurture command-line tools')
  .showHelpAfterError()
  .configureOutput({ outputError: (text, write) => write(text) });

for (const register of commands) register(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  console.error(err instanceof Error ? err.message : String(err));
  process.exitCode = 1;
}
