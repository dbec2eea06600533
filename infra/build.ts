import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { parseConfig } from './config.js';
import { NurtureStack } from './stack.js';

export interface BuildOptions {
  /** Cloud assembly directory; under the CLI, the CLI decides. */
  readonly outdir?: string;
  /**
   * Skip cdk-nag and CDK's built-in CloudFormation validation (together ~90% of a synth): local mode reads
   * only the IAM policies; a deploy and the infra tests always run both.
   */
  readonly skipChecks?: boolean;
  /** Folder of scenario files (default statemachines/): local mode synthesizes the roles of the ones it runs. */
  readonly scenariosDir?: string;
  /**
   * CDK's built-in CloudFormation template validation (default on, as under the CLI). cdk-nag runs either
   * way; tests turn this off where they assert nothing it checks, since it is most of a synth's time.
   */
  readonly builtinValidation?: boolean;
}

/**
 * Builds the Nurture app: validated config from context, the `Nurture` stack, and cdk-nag AwsSolutions
 * as a validation plugin (an unacknowledged finding fails the synth). `context` adds to (and yields to)
 * the context the CLI passes from cdk.json and `-c`.
 */
export function buildApp(context: Record<string, unknown> = {}, options: BuildOptions = {}) {
  const { skipChecks = false, scenariosDir, builtinValidation = true, ...appOptions } = options;
  const app = new App({ context, ...appOptions, builtinCloudFormationValidation: builtinValidation && !skipChecks });
  const config = parseConfig((key) => app.node.tryGetContext(key), Object.keys(app.node.getAllContext()));
  const stack = new NurtureStack(app, 'Nurture', {
    config,
    ...(scenariosDir ? { scenariosDir } : {}),
    description: 'Nurture: serverless marketing automation',
    ...(scenariosDir ? { scenariosDir } : {}),
  });
  if (!skipChecks) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack, config };
}
