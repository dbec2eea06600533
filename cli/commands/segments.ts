/**
 * `nurture segments …`: segment definitions (validate, list, put), members and exports. Each part adds its
 * subcommands from its own file.
 */
import type { Command } from 'commander';
import type { RegisterCommands } from './register.js';
import { registerSegmentDefinitions } from './segment-definitions.js';
import { registerSegmentMembers } from './segment-members.js';

export const registerSegments: RegisterCommands = (program: Command) => {
  const segments = program.command('segments').description('Segments: definitions (validate, list, put), members and exports');
  registerSegmentDefinitions(segments);
  registerSegmentMembers(segments);
};
