/** `nurture channels` subcommands of the media registry: show, set, classify. */
import type { Command } from 'commander';

export function registerChannelRegistry(_channels: Command): void {}
