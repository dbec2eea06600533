/**
 * `nurture segments …`: segment definitions (validate, list, put). Each part adds its subcommands from its
 * own file; membership and exports come with their parts.
 */
import type { Command } from 'commander';
import type { RegisterCommands } from './register.js';
import { registerSegmentDefinitions } from './segment-definitions.js';

export const registerSegments: RegisterCommands = (program: Command) => {
  const segments = program.command('segments').description('Segments: definitions (validate, list, put)');
  registerSegmentDefinitions(segments);
};
