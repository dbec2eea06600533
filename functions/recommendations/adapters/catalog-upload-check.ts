/**
 * The catalog upload check: reads `catalog/products.csv|json` from the content bucket, writes every product
 * when all rows are good (nothing otherwise), and the report beside it (`<key>.check.json`). A replay
 * re-checks the current object and writes the same products and report.
 */
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { type CatalogCheckReport, catalogReport, catalogReportKey, catalogUploadKeys, catalogUploadLimits, isCatalogUploadKey, parseCatalogUpload } from '../domain/catalog-upload.js';
import type { Product } from '../domain/model.js';

const isMissing = (err: unknown) => ['NoSuchKey', 'NotFound'].includes((err as { name?: string })?.name ?? '');

export async function checkCatalogUpload(
  deps: { s3: S3Client; bucket: string; catalog: { putMany(products: readonly Product[]): Promise<void> } },
  key: string,
  now = new Date(),
): Promise<CatalogCheckReport | undefined> {
  if (!isCatalogUploadKey(key)) return undefined;
  const { s3, bucket } = deps;
  const at = now.toISOString();
  let report: CatalogCheckReport;
  try {
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    if ((head.ContentLength ?? 0) > catalogUploadLimits.maxBytes) {
      report = catalogReport(key, { products: [], problems: [{ field: '(document)', message: `is larger than ${catalogUploadLimits.maxBytes} bytes` }] }, at);
    } else {
      const res = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      // Products carry the upload's time, not the check's: a replayed notification writes the same items.
      const uploadedAt = res.LastModified?.toISOString() ?? at;
      const parsed = parseCatalogUpload(await res.Body!.transformToString('utf8'), key.endsWith('.json') ? 'json' : 'csv', uploadedAt);
      report = catalogReport(key, parsed, at);
      if (report.ok) await deps.catalog.putMany(parsed.products);
    }
  } catch (err) {
    // A deleted upload changes nothing: the products it wrote stay (say so in the report).
    if (!isMissing(err)) throw err;
    report = catalogReport(key, { products: [], problems: [{ field: '(document)', message: `${key} was deleted; the products it wrote stay in the catalog` }] }, at);
  }
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: catalogReportKey(key), Body: JSON.stringify(report, null, 2), ContentType: 'application/json' }));
  return report;
}

/** The catalog uploads present, with their ETags (local mode polls these: the local S3 sends no events). */
export async function listCatalogUploads(s3: S3Client, bucket: string): Promise<{ key: string; etag: string }[]> {
  const res = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: catalogUploadKeys.prefix }));
  return (res.Contents ?? []).filter((o) => o.Key && isCatalogUploadKey(o.Key)).map((o) => ({ key: o.Key!, etag: o.ETag ?? '' }));
}
