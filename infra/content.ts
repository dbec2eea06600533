import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY } from 'aws-cdk-lib/cx-api';
import { Construct } from 'constructs';
import { contentBucket } from '../functions/shared/resources.js';
import type { DefinedBucket } from './nurture-function.js';

/** Marketer-owned content (email templates and the like), with server access logs for an audit trail. */
export class Content extends Construct {
  readonly content: DefinedBucket;
  /** Server access logs of the stack's buckets (each under its own prefix). */
  readonly accessLogs: Bucket;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    // Deliver access logs by bucket policy instead of the LogDeliveryWrite ACL, so both buckets keep ACLs
    // disabled (BucketOwnerEnforced). Set here, not in cdk.json, so the construct is correct in any app.
    this.node.setContext(S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY, true);

    // Server access log delivery supports SSE-S3 target buckets only (not SSE-KMS).
    const accessLogs = (this.accessLogs = new Bucket(this, 'AccessLogs', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [{ expiration: Duration.days(365) }],
    }));
    Validations.of(accessLogs).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This is the access log bucket of the content and lake buckets; logging it would need yet another bucket.',
    });

    const bucket = new Bucket(this, contentBucket.id, {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      versioned: true,
      removalPolicy: RemovalPolicy.RETAIN,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'content/',
    });
    this.content = { bucket, def: contentBucket };
  }
}
