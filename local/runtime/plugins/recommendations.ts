/**
 * Recommendations in local mode: the model build on a timer (daily at 04:00 UTC on AWS; here soon after
 * start and then every recommendationsBuildEveryMs, so the demo shop has lists), and catalog uploads
 * checked at start and whenever `catalog/products.csv|json` changes (what the S3 notification does on
 * AWS; the local S3 sends no events). Both run as their functions' roles through the IAM check.
 */
import type { S3Event } from 'aws-lambda';
import { lambdaContext } from '../../emulators/api-gateway.js';
import { asFunction } from '../../iam/index.js';
import type { LocalContext } from '../context.js';

/** First local build after start (the lake has whatever earlier runs wrote); NURTURE_RECOMMENDATIONS_FIRST_BUILD_MS overrides. */
export const recommendationsFirstBuildMs = 15_000;
/** How often local mode rebuilds the models (NURTURE_RECOMMENDATIONS_BUILD_MS overrides). */
export const recommendationsBuildEveryMs = 10 * 60_000;
/** The build timers, read when local mode starts (not when this module loads). */
const timerMs = (name: string, fallback: number) => Number(process.env[name]) || fallback;
/** How often local mode looks for catalog uploads. */
export const catalogWatchMs = 2_000;

type Handler<E> = (event: E, context?: ReturnType<typeof lambdaContext>) => Promise<unknown>;

export async function recommendationsPlugin(ctx: LocalContext): Promise<void> {
  const build = asFunction('recommendationsBuild', ((await import('../../../functions/recommendations/build.js')) as { handler: Handler<object> }).handler);
  const check = asFunction('recommendationsCatalogCheck', ((await import('../../../functions/recommendations/catalog-check.js')) as { handler: Handler<S3Event> }).handler);
  const { listCatalogUploads } = await import('../../../functions/recommendations/adapters/catalog-upload-check.js');
  const { s3Client } = await import('../../../functions/shared/aws/s3.js');
  const bucket = ctx.env.CONTENT_BUCKET!;
  const s3 = s3Client();

  let building: Promise<unknown> | undefined;
  const runBuild = () => {
    building ??= build({}, lambdaContext('recommendationsBuild'))
      .catch((err: unknown) => console.error('[recommendations build]', err))
      .finally(() => (building = undefined));
  };
  const first = setTimeout(runBuild, timerMs('NURTURE_RECOMMENDATIONS_FIRST_BUILD_MS', recommendationsFirstBuildMs));
  const every = setInterval(runBuild, timerMs('NURTURE_RECOMMENDATIONS_BUILD_MS', recommendationsBuildEveryMs));
  first.unref();
  every.unref();

  const seen = new Map<string, string>();
  const event = (key: string): S3Event => ({ Records: [{ eventName: 'ObjectCreated:Put', s3: { bucket: { name: bucket }, object: { key } } }] }) as unknown as S3Event;
  const checkChanged = async (announce: boolean) => {
    const uploads = await listCatalogUploads(s3, bucket);
    for (const { key, etag } of uploads) {
      if (seen.get(key) === etag) continue;
      seen.set(key, etag);
      await check(event(key));
      console.log(`[catalog] ${key} checked: report in ${key}.check.json`);
      // Locally the lists follow an upload at once (availability); on AWS the next daily build does.
      if (announce) runBuild();
    }
  };
  await checkChanged(false).catch((err: unknown) => console.error('[catalog] check failed:', err));
  let watching = false;
  const watch = setInterval(() => {
    if (watching) return;
    watching = true;
    checkChanged(true)
      .catch((err: unknown) => console.error('[catalog] check failed:', err))
      .finally(() => (watching = false));
  }, catalogWatchMs);
  watch.unref();

  ctx.onStop(async () => {
    clearTimeout(first);
    clearInterval(every);
    clearInterval(watch);
    await building;
  });
}
