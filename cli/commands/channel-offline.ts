/** `nurture channels` subcommands of offline touches: import-offline. */
import type { Command } from 'commander';

export function registerChannelOffline(_channels: Command): void {}
