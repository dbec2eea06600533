/**
 * What other capabilities read of channels: the operator's media registry and the ad costs. The analytics
 * reports (channels, attribution) and the profile API take these ports; channels' adapters implement them
 * with DynamoDB. Pure types.
 */
import type { RegistryDoc } from './registry.js';

/** The operator's registry document (their own media; the defaults apply on top). */
export interface RegistryReader {
  /** The stored document, or undefined when the operator has registered nothing (defaults only). */
  registry(): Promise<RegistryDoc | undefined>;
}

/** Spend of one medium on one campaign on one day, in the deployment's currency. */
export interface CostRow {
  /** UTC day, YYYY-MM-DD. */
  day: string;
  /** A medium id of the registry (e.g. `google-ads`). */
  medium: string;
  /** The campaign as the ad platform names it; matched to utm_campaign case-insensitively. */
  campaign: string;
  cost: number;
  impressions?: number;
  clicks?: number;
}

export interface CostReader {
  /** Every cost row of the days from..to (inclusive, YYYY-MM-DD). */
  costs(from: string, to: string): Promise<CostRow[]>;
}
