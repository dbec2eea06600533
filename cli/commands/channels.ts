/**
 * `nurture channels …`: the media registry, ad cost imports and offline touch imports. Locally the
 * commands talk to a running `npm start` (its DynamoDB and Kinesis ports); with --aws to the deployed
 * stack with your AWS credentials. Each part adds its subcommands from its own file.
 */
import type { Command } from 'commander';
import { registerChannelCosts } from './channel-costs.js';
import { registerChannelOffline } from './channel-offline.js';
import { registerChannelRegistry } from './channel-registry.js';
import type { RegisterCommands } from './register.js';

export const registerChannels: RegisterCommands = (program: Command) => {
  const channels = program.command('channels').description('Media and channels: the registry, ad costs, offline touches');
  registerChannelRegistry(channels);
  registerChannelCosts(channels);
  registerChannelOffline(channels);
};
