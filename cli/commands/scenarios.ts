/**
 * `nurture scenarios list | validate | compile | simulate`: the marketer's tools for scenario files.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Command } from 'commander';
import { ProfileFacts } from '../../functions/scenarios/adapters/profile-facts.js';
import { compile } from '../../functions/scenarios/domain/compile.js';
import type { Activity, ProfileView } from '../../functions/scenarios/domain/conditions.js';
import { ScenarioError, type ScenarioIssue } from '../../functions/scenarios/errors.js';
import { sendTemplates } from '../../functions/scenarios/domain/load.js';
import { loadScenarioFile, scenarioFiles } from '../../functions/scenarios/adapters/scenario-files.js';
import { describeTrigger } from '../../functions/scenarios/domain/patterns.js';
import { describeWhere } from '../../functions/scenarios/domain/conditions.js';
import { type FutureEvent, simulate } from '../../functions/scenarios/domain/simulate.js';
import { formatProblem } from '../../functions/shared/problems.js';
import { localName } from '../../local/runtime/provision.js';
import { repoRoot } from '../../local/runtime/context.js';
import { portsFromEnv } from '../../local/runtime/ports.js';

const defaultDir = join(repoRoot, 'statemachines');
const templatesDir = join(repoRoot, 'templates');

/** A scenario by id (in the scenarios folder) or by file path. */
function resolveFile(ref: string, dir: string): string {
  if (existsSync(ref)) return resolve(ref);
  for (const ext of ['.yaml', '.yml', '.json']) {
    const file = join(dir, `${ref}${ext}`);
    if (existsSync(file)) return file;
  }
  throw new Error(`no scenario "${ref}" in ${dir} (give an id or a file path)`);
}

/** A file as the terminal shows it: relative to where the command runs, unless it lies outside. */
function shownPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel.startsWith('..') ? file : rel;
}

/** Problems beyond the document itself: templates that do not exist. */
function templateProblems(doc: unknown): ScenarioIssue[] {
  return sendTemplates(doc).flatMap(({ path, template }) =>
    ['liquid', 'mjml'].some((ext) => existsSync(join(templatesDir, `${template}.${ext}`))) ? [] : [{ path, message: `no template "${template}" in templates/` }],
  );
}

interface Fixture {
  profile: ProfileView & { profileId?: string };
  activity?: Activity[];
  events?: FutureEvent[];
}

/** `--profile`: a JSON fixture file, or a profile id read from the running local mode. */
async function loadProfile(ref: string): Promise<Fixture> {
  if (ref.endsWith('.json') || existsSync(ref)) {
    const raw = JSON.parse(readFileSync(ref, 'utf8')) as Partial<Fixture> & ProfileView;
    return raw.profile ? (raw as Fixture) : { profile: raw };
  }
  const port = portsFromEnv().dynamodb;
  const doc = DynamoDBDocumentClient.from(
    new DynamoDBClient({ endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } }),
  );
  try {
    const facts = new ProfileFacts(doc, localName('Main'));
    const profile = await facts.profile(ref).catch((err: unknown) => {
      throw new Error(`cannot read profile ${ref} from local DynamoDB on port ${port} (is npm start running?): ${(err as Error).message}`);
    });
    if (!profile) throw new Error(`no profile ${ref} in local mode`);
    const activity = await facts.activitySince(profile, new Date(Date.now() - 365 * 86_400_000).toISOString());
    return { profile, activity };
  } finally {
    doc.destroy();
  }
}

/** `--event 2d:"Email Link Clicked"` or `--event '3d:Form Submitted:{"form":"contact"}'`. */
function parseEvent(text: string, all: FutureEvent[]): FutureEvent[] {
  const [after, event, ...rest] = text.split(':');
  if (!after || !event) throw new Error(`--event "${text}": expected <after>:<event name>[:<properties JSON>]`);
  const properties = rest.length > 0 ? (JSON.parse(rest.join(':')) as Record<string, unknown>) : undefined;
  return [...all, { after, event, ...(properties ? { properties } : {}) }];
}

export function registerScenarios(program: Command): void {
  const cmd = program.command('scenarios').description('scenario files: list, validate, compile to ASL, simulate');
  const dirOption = ['--dir <folder>', 'scenario folder', defaultDir] as const;

  cmd
    .command('list')
    .description('list the scenarios and what triggers them')
    .option(...dirOption)
    .action((opts: { dir: string }) => {
      for (const file of scenarioFiles(opts.dir)) {
        try {
          const s = loadScenarioFile(file);
          const goal = s.goal
            ? `${s.goal.event ? `"${s.goal.event}"` : `stage ${s.goal.stage}`}${s.goal.where ? ` where ${describeWhere(s.goal.where)}` : ''}`
            : '-';
          console.log(`${s.id.padEnd(28)} ${String(s.steps.length).padStart(2)} steps  on ${describeTrigger(s.trigger)}  goal ${goal}  — ${s.name}`);
        } catch (err) {
          console.log(`${basename(file).padEnd(28)} INVALID: ${(err as Error).message}`);
          process.exitCode = 1;
        }
      }
    });

  cmd
    .command('validate')
    .description('validate scenario files (all of the folder when none is given) and the templates they use')
    .argument('[files...]')
    .option(...dirOption)
    .action((files: string[], opts: { dir: string }) => {
      const list = files.length > 0 ? files.map((f) => resolveFile(f, opts.dir)) : scenarioFiles(opts.dir);
      let bad = 0;
      for (const file of list) {
        try {
          loadScenarioFile(file, [templateProblems]);
          console.log(`ok   ${basename(file)}`);
        } catch (err) {
          bad++;
          if (err instanceof ScenarioError) {
            console.log(`FAIL ${err.source}`);
            for (const { path, ...i } of err.issues) console.log(`     ${formatProblem(shownPath(file), { field: path || '(document)', ...i })}`);
          } else console.log(`FAIL ${basename(file)}: ${(err as Error).message}`);
        }
      }
      if (bad > 0) process.exitCode = 1;
    });

  cmd
    .command('compile')
    .description('print the Amazon States Language definition of a scenario (placeholders as CDK fills them)')
    .argument('<scenario>', 'scenario id or file')
    .option(...dirOption)
    .action((ref: string, opts: { dir: string }) => {
      console.log(JSON.stringify(compile(loadScenarioFile(resolveFile(ref, opts.dir))), null, 2));
    });

  cmd
    .command('simulate')
    .description('walk a scenario for one person on a simulated clock and print each step and decision; sends nothing')
    .argument('<scenario>', 'scenario id or file')
    .requiredOption('--profile <id|fixture.json>', 'a profile id of the running local mode, or a JSON fixture {profile, activity?, events?}')
    .option('--event <after:name[:properties]>', 'something the person does during the journey, e.g. 2d:Email Link Clicked (repeatable)', parseEvent, [])
    .option('--start <iso time>', 'when the journey starts (default: now)')
    .option(...dirOption)
    .action(async (ref: string, opts: { profile: string; event: FutureEvent[]; start?: string; dir: string }) => {
      const scenario = loadScenarioFile(resolveFile(ref, opts.dir));
      const fixture = await loadProfile(opts.profile);
      const result = simulate({
        scenario,
        profile: fixture.profile,
        ...(fixture.activity ? { activity: fixture.activity } : {}),
        events: [...(fixture.events ?? []), ...opts.event],
        ...(opts.start ? { start: new Date(opts.start) } : {}),
      });
      console.log(`Simulating ${scenario.id} for ${fixture.profile.profileId ?? opts.profile} (nothing is sent)`);
      for (const line of result.lines) {
        console.log(`${line.at.toISOString().replace('T', ' ').slice(0, 16)}  ${(line.stepId ?? '').padEnd(22)} ${line.text}`);
      }
      console.log(`outcome: ${result.outcome}; would send: ${result.sends.length > 0 ? result.sends.join(', ') : 'nothing'}`);
    });
}
