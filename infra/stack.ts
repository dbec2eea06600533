import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { Channels } from './channels.js';
import { Analytics } from './analytics.js';
import { Broadcasts } from './broadcasts.js';
import type { NurtureConfig } from './config.js';
import { Content } from './content.js';
import { Crm } from './crm.js';
import { Forms } from './forms.js';
import { FormsAdmin } from './forms-admin.js';
import { Identity } from './identity.js';
import { addFollowUp, type FormsFollowUp } from './forms-follow-up.js';
import { Ingest } from './ingest.js';
import { Observability } from './observability.js';
import { Profiles } from './profiles.js';
import { Recommend } from './recommend.js';
import { FunctionRegistry } from './routes.js';
import { Scoring } from './scoring.js';
import { Scenarios } from './scenarios.js';
import { Recommendations } from './recommendations.js';
import { Segments } from './segments.js';
import { Sending } from './sending.js';
import { snippet } from '../tracker/snippet.js';

export interface NurtureStackProps extends StackProps {
  readonly config: NurtureConfig;
  /** Folder of the scenario files to deploy (default: statemachines/). */
  readonly scenariosDir?: string;
}

/** Everything Nurture deploys into one account and region. */
export class NurtureStack extends Stack {
  /** Every function by its routes.ts name; each capability construct registers its own. */
  readonly functions = new FunctionRegistry();
  readonly profiles: Profiles;
  readonly ingest: Ingest;
  readonly content: Content;
  readonly scoring: Scoring;
  readonly identity: Identity;
  readonly sending: Sending;
  readonly scenarios: Scenarios;
  readonly analytics: Analytics;
  readonly channels: Channels;
  readonly segments: Segments;
  readonly broadcasts: Broadcasts;
  readonly recommendations: Recommendations;
  readonly recommend: Recommend;
  readonly forms: Forms;
  readonly formsAdmin: FormsAdmin;
  /** After form submissions (moves under the Forms construct, infra/forms.ts, at merge). */
  readonly formsFollowUp: FormsFollowUp;
  readonly crm: Crm;
  readonly observability: Observability;

  constructor(scope: Construct, id: string, props: NurtureStackProps) {
    super(scope, id, props);
    const { config } = props;
    // config.ts only accepts values of CloudWatch's retention enum.
    const logRetention = config.logRetentionDays as RetentionDays;
    const { functions } = this;

    this.profiles = new Profiles(this, 'Profiles');
    this.ingest = new Ingest(this, 'Ingest', { config, logRetention, profiles: this.profiles.main, functions });
    this.content = new Content(this, 'Content');
    const shared = { logRetention, profiles: this.profiles.main, content: this.content.content, functions };
    this.scoring = new Scoring(this, 'Scoring', { ...shared, events: this.ingest.events });
    this.identity = new Identity(this, 'Identity', shared);
    this.sending = new Sending(this, 'Sending', { ...shared, config, events: this.ingest.events, apiUrl: this.ingest.api.apiEndpoint });
    this.scenarios = new Scenarios(this, 'Scenarios', {
      ...shared,
      events: this.ingest.events,
      bus: this.scoring.bus,
      send: this.sending.send,
      processor: this.scoring.process,
      ...(props.scenariosDir ? { dir: props.scenariosDir } : {}),
    });

    this.analytics = new Analytics(this, 'Analytics', {
      config,
      logRetention,
      profiles: this.profiles.main,
      accessLogs: this.content.accessLogs,
      process: this.scoring.process,
      functions,
    });
    this.channels = new Channels(this, 'Channels', { config, logRetention, profiles: this.profiles.main, events: this.ingest.events, functions });
    this.segments = new Segments(this, 'Segments', { ...shared, bus: this.scoring.bus });
    this.broadcasts = new Broadcasts(this, 'Broadcasts', { config, logRetention, profiles: this.profiles.main, sending: this.sending, functions });
    this.recommendations = new Recommendations(this, 'Recommendations', shared);
    this.recommend = new Recommend(this, 'Recommend', { config, logRetention, profiles: this.profiles.main, functions });
    this.forms = new Forms(this, 'Forms', {
      ...shared,
      config,
      events: this.ingest.events,
      linkSecret: this.sending.linkSecret,
      apiUrl: this.ingest.api.apiEndpoint,
    });
    this.formsAdmin = new FormsAdmin(this, 'FormsAdmin', { ...shared, apiUrl: this.ingest.api.apiEndpoint });
    this.formsFollowUp = addFollowUp(this, { ...shared, bus: this.scoring.bus, sending: this.sending });
    this.crm = new Crm(this, 'Crm', { logRetention, profiles: this.profiles.main, events: this.ingest.events, functions });

    // Readers of activity history beyond what the profile item keeps.
    this.analytics.grantLakeReads(this.identity.adminProfiles);
    this.analytics.grantLakeReads(this.scenarios.steps);
    this.analytics.grantLakeReads(this.recommendations.build);

    // Every route of functions/api/routes.ts, after all capabilities registered their functions.
    functions.addRoutes(this.ingest.api);
    this.observability = new Observability(this, 'Observability', {
      api: this.ingest.api,
      process: this.scoring.process,
      stateMachines: [...this.scenarios.machines.values()],
    });

    const apiUrl = this.ingest.api.apiEndpoint;
    new CfnOutput(this, 'ApiUrl', { value: apiUrl, description: 'Base URL of the HTTP API (tracking and admin routes)' });
    new CfnOutput(this, 'TrackerSnippet', {
      // writeKeys has at least one entry (config.ts).
      value: snippet({ api: apiUrl, writeKey: config.writeKeys[0]!, ...(config.cookieDomain ? { cookieDomain: config.cookieDomain } : {}) }),
      description: 'Paste into every page of the site; serve tracker/dist/nurture.min.js at /nurture.min.js',
    });
    new CfnOutput(this, 'ContentBucketName', {
      value: this.content.content.bucket.bucketName,
      description: 'Content bucket: upload scoring rules to rules/scoring.yaml (verdict in rules/scoring.check.json)',
    });
    new CfnOutput(this, 'SesConfigurationSet', {
      value: this.sending.configurationSet.configurationSetName,
      description: 'SES configuration set of Nurture mail (bounces and complaints suppress; send function input in README)',
    });
    new CfnOutput(this, 'SendFunctionName', {
      value: this.sending.send.functionName,
      description: 'The send function (Step Functions task / direct invoke), input and output in README "Sending email"',
    });
    new CfnOutput(this, 'EventBusName', {
      value: this.scoring.bus.bus.eventBusName,
      description: 'EventBridge bus of domain events (lead.identified, lead.merged, lead.stage_changed, activity)',
    });
    new CfnOutput(this, 'DashboardName', {
      value: this.observability.dashboard.dashboardName,
      description: 'CloudWatch dashboard: ingest, processor, lead stages, scenarios, email',
    });
    new CfnOutput(this, 'LakeBucketName', {
      value: this.analytics.bucket.bucketName,
      description: 'Event lake (Parquet under events/ and identity/, dt= partitions); query it in the Athena workgroup below',
    });
    new CfnOutput(this, 'AthenaWorkgroup', {
      value: this.analytics.workgroup.name,
      description: `Athena workgroup of the lake (database ${this.analytics.databaseName}; scan limit ${config.athenaScanLimitGb} GiB a query)`,
    });
    new CfnOutput(this, 'ProcessFailuresQueueUrl', {
      value: this.scoring.failures.queueUrl,
      description: 'Shard and sequence ranges of event batches the processor gave up on (see README to replay)',
    });
    new CfnOutput(this, 'CrmSecretArn', {
      value: this.crm.secret.secretArn,
      description: 'Secrets Manager secret the CRM signs POST /v1/crm/events with (Nurture-Signature; README "CRM")',
    });
  }
}
