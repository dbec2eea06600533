/** The build's ports wired to the lake engine and the main table. */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { LakeEngine } from '../../analytics/domain/engine.js';
import type { BuildPorts } from '../domain/run-build.js';
import { DynamoCatalogStore } from './catalog-store.js';
import { lakeCounts } from './lake-counts.js';
import { DynamoTopListStore } from './toplist-store.js';

export function buildPorts(engine: () => Promise<LakeEngine>, doc: DynamoDBDocumentClient, tableName: string): BuildPorts {
  return {
    counts: async (window) => lakeCounts(await engine(), window),
    catalog: new DynamoCatalogStore(doc, tableName),
    lists: new DynamoTopListStore(doc, tableName),
  };
}
