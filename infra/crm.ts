import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { type DefinedStream, type DefinedTable, NurtureFunction } from './nurture-function.js';
import type { FunctionRegistry } from './routes.js';

export interface CrmProps {
  readonly logRetention: RetentionDays;
  readonly profiles: DefinedTable;
  readonly events: DefinedStream;
  readonly functions: FunctionRegistry;
}

/**
 * CRM hand-off. Inbound: `crmInbound` serves `POST /v1/crm/events` (HMAC-signed with a shared secret the
 * stack generates) and puts the updates on the events stream like any collected event. Outbound
 * destinations are added beside it.
 */
export class Crm extends Construct {
  /** `crmInbound`: POST /v1/crm/events. */
  readonly inbound: NurtureFunction;
  /** The shared HMAC secret senders sign inbound updates with (a comma list during a rotation). */
  readonly secret: Secret;

  constructor(scope: Construct, id: string, props: CrmProps) {
    super(scope, id);
    const { logRetention, profiles, events, functions } = props;

    // Kept on stack deletion: the CRM's side holds a copy, and a new stack should not silently break it.
    this.secret = new Secret(this, 'InboundSecret', {
      description: 'HMAC key of inbound CRM updates (POST /v1/crm/events, header Nurture-Signature); a comma list during a rotation',
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'A shared HMAC key that the CRM sender holds too: rotation is a coordinated manual step (put "new,old" in the secret, switch the sender, drop the old one), which automatic rotation cannot do.',
    });

    this.inbound = functions.register(
      'crmInbound',
      new NurtureFunction(this, 'Inbound', {
        name: 'crmInbound',
        description: 'Inbound CRM updates: POST /v1/crm/events (HMAC-signed), replay guard, identify by email, events to the stream',
        logRetention,
        environment: { CRM_SECRET_ARN: this.secret.secretArn },
      })
        // The replay guard (conditional Put, Delete to release it) and identity links (Get/Put).
        .bindTable(profiles, 'write')
        .bindStream(events),
      {
        publicBecause:
          'Called by a CRM server, not a browser: every request carries an HMAC-SHA256 signature over its timestamp and raw body with a shared secret, checked (5-minute tolerance, id replay guard) before anything is parsed.',
      },
    );
    this.secret.grantRead(this.inbound);
  }
}
