import * as z from 'zod/mini';
import { LakeActivity } from '../analytics/adapters/lake-activity.js';
import { hasLake, lazyLakeEngine } from '../analytics/adapters/lake-engine.js';
import { LakeTouches } from '../analytics/adapters/lake-touches.js';
import { DynamoRegistryStore } from '../channels/adapters/registry-store.js';
import { DynamoLinkStore } from '../identity/adapters/dynamo-link-store.js';
import { keyString } from '../identity/domain/keys.js';
import { defaultRulesFromEnv, RulesSource } from '../scoring/adapters/rules-source.js';
import { documentClient } from '../shared/aws/dynamodb.js';
import { s3Client } from '../shared/aws/s3.js';
import { parseEnv, required } from '../shared/env.js';
import { httpFunction } from '../shared/http-function.js';
import { ProfileReader } from './adapters/profile-reader.js';
import { profilesAdminRoutes } from './routes.js';

const env = parseEnv(z.object({ TABLE_NAME: required(), CONTENT_BUCKET: required() }));
const doc = documentClient();
const links = new DynamoLinkStore(doc, env.TABLE_NAME);
const rules = new RulesSource(s3Client(), env.CONTENT_BUCKET, Date.now, defaultRulesFromEnv);
// One lake engine (opened on first use) for activity and touches.
const lake = hasLake() ? lazyLakeEngine() : undefined;

/** Admin read API over profiles and leads (admin routes: IAM on AWS, the admin token locally). */
export const handler = httpFunction('adminProfiles', profilesAdminRoutes, {
  // Activity beyond the item's latest business events comes from the event lake.
  profiles: new ProfileReader(doc, env.TABLE_NAME, false, lake && new LakeActivity(lake)),
  ...(lake ? { touches: new LakeTouches(lake) } : {}),
  registry: new DynamoRegistryStore(doc, env.TABLE_NAME),
  linkedProfile: async (key) => (await links.get([key])).get(keyString(key))?.profileId,
  rules: () => rules.current(),
  now: () => new Date(),
});
