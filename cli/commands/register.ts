import type { Command } from 'commander';

/** Adds one capability's subcommands to the `nurture` program. */
export type RegisterCommands = (program: Command) => void;
