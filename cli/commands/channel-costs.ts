/** `nurture channels` subcommands of ad costs: import-costs, costs. */
import type { Command } from 'commander';

export function registerChannelCosts(_channels: Command): void {}
