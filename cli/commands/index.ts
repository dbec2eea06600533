import type { Command } from 'commander';
import { registerScenarios } from './scenarios.js';
import { registerCost } from './cost.js';
import { registerScoring } from './scoring.js';
import { registerTemplates } from './templates.js';

/** Adds one capability's subcommands to the `nurture` program. */
export type RegisterCommands = (program: Command) => void;

/** Every capability's commands; each lives in its own file beside this one. */
export const commands: RegisterCommands[] = [registerCost, registerScoring, registerTemplates, registerScenarios];
