import { S3Client } from '@aws-sdk/client-s3';

/**
 * S3 client. AWS_S3_FORCE_PATH_STYLE=true (set by local mode) addresses buckets by path, which the local
 * S3 emulator needs; on AWS virtual-hosted style is the default and the variable is unset.
 */
export function s3Client(): S3Client {
  return new S3Client({ forcePathStyle: process.env.AWS_S3_FORCE_PATH_STYLE === 'true' });
}
