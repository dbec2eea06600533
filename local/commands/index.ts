import type { Command } from 'commander';
import { registerScoring } from './scoring.js';

/** Adds one capability's subcommands to the `nurture` program. */
export type RegisterCommands = (program: Command) => void;

/** Every capability's commands; each lives in its own file beside this one. */
export const commands: RegisterCommands[] = [registerScoring];
