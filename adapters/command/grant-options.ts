// The options of `--side grant-service --impl command`: a token-issuing program, such as Skupper's
// `skupper token issue <file> --redemptions-allowed N --expiration-window D`, run through command
// templates. Checked in create(): anything wrong is an Error naming the option (exit 2).
//
//   issue                        the command that issues a token for one AccessGrant and writes it to
//                                {tokenFile} (required); also {grantName}, {siteFile}, {namespace},
//                                {siteName}, {siteId}, {stateDir}
//   issue.redemptionsAllowed     arguments appended when the grant sets spec.redemptionsAllowed
//                                ({redemptionsAllowed}); absent, a grant that sets it cannot be issued
//   issue.expirationWindow       the same for spec.expirationWindow ({expirationWindow})
//   serve                        a long-running command started once for the run and stopped at its end
//                                (the grant server, when the issuing command only asks it): {stateDir}
//   delete                       the command that deletes a grant: {grantName}, {issuedName} (the name in
//                                the token file: the grant's name as the program chose it), {namespace},
//                                {siteName}, {siteId}, {siteFile}, {stateDir}; claims "delete"
//   features                     more features to claim: short-windows
//   timeoutSeconds               the bound of each issue and delete command (default 20)
//   tokenDir                     where the run's state directory is made (default the system's temp dir)
//   cwd, name, version, env.<NAME>
import { KNOWN_GRANT_FEATURES } from '../contract.ts';
import { DEFAULT_TIMEOUT_SECONDS } from './options.ts';
import { checkTemplate, splitCommand, TemplateError, type Placeholder } from './template.ts';

export interface GrantCommandOptions {
  /** Argument templates of each command. */
  issue: string[];
  issueArgs: { redemptionsAllowed?: string[]; expirationWindow?: string[] };
  serve?: string[];
  delete?: string[];
  env: Record<string, string>;
  cwd?: string;
  tokenDir?: string;
  features: string[];
  timeoutSeconds: number;
  name: string;
  version?: string;
}

const KEYS = ['issue', 'issue.redemptionsAllowed', 'issue.expirationWindow', 'serve', 'delete', 'features', 'timeoutSeconds', 'tokenDir', 'cwd', 'name', 'version'];
/** Set by the suite itself (`--grant-host`); a program that serves on loopback has no use for it. */
const PASSED_THROUGH = ['grantHost', 'listenHost'];

const SITE: Placeholder[] = ['namespace', 'siteName', 'siteId', 'siteFile', 'stateDir'];
const ALLOWED: Record<string, readonly Placeholder[]> = {
  issue: ['tokenFile', 'grantName', ...SITE],
  'issue.redemptionsAllowed': ['redemptionsAllowed'],
  'issue.expirationWindow': ['expirationWindow'],
  serve: ['stateDir'],
  delete: ['grantName', 'issuedName', ...SITE],
  env: ['stateDir'],
  cwd: ['stateDir'],
};

/** Claimable through `features`: what the adapter cannot see for itself. */
const CLAIMABLE = ['short-windows'];

function argvTemplate(key: string, value: string, allowed: readonly Placeholder[], mayBeEmpty = false): string[] {
  let argv: string[];
  try {
    checkTemplate(value, allowed);
    argv = splitCommand(value);
  } catch (e) {
    if (e instanceof TemplateError) throw new Error(`options.${key}: ${e.message}`);
    throw e;
  }
  if (!mayBeEmpty && (argv.length === 0 || argv[0] === '')) throw new Error(`options.${key} names no program`);
  return argv;
}

export function parseGrantCommandOptions(options: Record<string, string>): GrantCommandOptions {
  for (const key of Object.keys(options)) {
    if (KEYS.includes(key) || PASSED_THROUGH.includes(key)) continue;
    if (/^env\.[A-Za-z_][A-Za-z0-9_]*$/.test(key)) continue;
    if (key.startsWith('env.')) throw new Error(`options.${key}: "${key.slice(4)}" is not an environment variable name`);
    throw new Error(`unknown option "${key}" for the command grant service adapter (known: ${KEYS.join(', ')}, env.<NAME>)`);
  }
  if (!options.issue?.trim()) {
    throw new Error("the command grant service adapter needs options.issue (e.g. issue='skupper token issue {tokenFile}')");
  }
  const issue = argvTemplate('issue', options.issue, ALLOWED.issue);
  if (!issue.some((a) => a.includes('{tokenFile}'))) throw new Error('options.issue must contain {tokenFile}: the token the command writes is how the suite learns url, code and ca');

  const issueArgs: GrantCommandOptions['issueArgs'] = {};
  for (const field of ['redemptionsAllowed', 'expirationWindow'] as const) {
    const value = options[`issue.${field}`];
    if (value === undefined) continue;
    issueArgs[field] = argvTemplate(`issue.${field}`, value, ALLOWED[`issue.${field}`], true);
    if (!value.includes(`{${field}}`)) throw new Error(`options.issue.${field} must contain {${field}}`);
  }

  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(options)) {
    if (!key.startsWith('env.')) continue;
    try {
      checkTemplate(value, ALLOWED.env);
    } catch (e) {
      throw new Error(`options.${key}: ${(e as Error).message}`);
    }
    env[key.slice(4)] = value;
  }

  let timeoutSeconds = DEFAULT_TIMEOUT_SECONDS;
  if (options.timeoutSeconds !== undefined) {
    timeoutSeconds = Number(options.timeoutSeconds);
    if (options.timeoutSeconds.trim() === '' || !Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0) {
      throw new Error(`options.timeoutSeconds must be a number of seconds above 0, not "${options.timeoutSeconds}"`);
    }
  }

  const features = new Set<string>();
  for (const f of (options.features ?? '').split(',').map((x) => x.trim()).filter(Boolean)) {
    if (!Object.hasOwn(KNOWN_GRANT_FEATURES, f)) throw new Error(`options.features: "${f}" is not a known grant service feature (${Object.keys(KNOWN_GRANT_FEATURES).join(', ')})`);
    if (!CLAIMABLE.includes(f)) {
      throw new Error(
        f === 'delete'
          ? 'options.features: "delete" is claimed by giving options.delete'
          : `options.features: "${f}" cannot be claimed: the command adapter knows a grant only by the token its program writes`,
      );
    }
    features.add(f);
  }
  const del = options.delete === undefined ? undefined : argvTemplate('delete', options.delete, ALLOWED.delete);
  if (del) features.add('delete');

  if (options.cwd !== undefined) {
    try {
      checkTemplate(options.cwd, ALLOWED.cwd);
    } catch (e) {
      throw new Error(`options.cwd: ${(e as Error).message}`);
    }
  }
  const program = issue[0].split('/').pop();
  return {
    issue,
    issueArgs,
    serve: options.serve === undefined ? undefined : argvTemplate('serve', options.serve, ALLOWED.serve),
    delete: del,
    env,
    cwd: options.cwd,
    tokenDir: options.tokenDir,
    features: [...features],
    timeoutSeconds,
    name: options.name?.trim() || `command (${program})`,
    version: options.version?.trim() || undefined,
  };
}
