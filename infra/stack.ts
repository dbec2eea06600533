import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { NurtureConfig } from './config.js';
import { Content } from './content.js';
import { Ingest } from './ingest.js';
import { Profiles } from './profiles.js';
import { trackerSnippet } from './snippet.js';

export interface NurtureStackProps extends StackProps {
  readonly config: NurtureConfig;
}

/** Everything Nurture deploys into one account and region. */
export class NurtureStack extends Stack {
  readonly profiles: Profiles;
  readonly ingest: Ingest;
  readonly content: Content;

  constructor(scope: Construct, id: string, props: NurtureStackProps) {
    super(scope, id, props);
    const { config } = props;
    // config.ts only accepts values of CloudWatch's retention enum.
    const logRetention = config.logRetentionDays as RetentionDays;

    this.profiles = new Profiles(this, 'Profiles');
    this.ingest = new Ingest(this, 'Ingest', { config, logRetention, profiles: this.profiles.main });
    this.content = new Content(this, 'Content');

    const apiUrl = this.ingest.api.apiEndpoint;
    new CfnOutput(this, 'ApiUrl', { value: apiUrl, description: 'Base URL of the tracking API' });
    new CfnOutput(this, 'TrackerSnippet', {
      // writeKeys has at least one entry (config.ts).
      value: trackerSnippet({ api: apiUrl, writeKey: config.writeKeys[0]! }),
      description: 'Paste into every page of the site; serve tracker/dist/nurture.min.js at /nurture.min.js',
    });
  }
}
