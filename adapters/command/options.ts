// The command adapter's options (conformance.yaml `options:` or `--impl-option key=value`), checked in
// create(): anything wrong is an Error naming the option, which the loader turns into exit 2.
import { statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, resolve } from 'node:path';
import { KNOWN_FEATURES } from '../contract.ts';
import { checkTemplate, expandHome, PLACEHOLDERS, splitCommand, TemplateError, type Placeholder } from './template.ts';

export interface CommandOptions {
  /** The command template as given. */
  command: string;
  /** Without a shell: the argument templates. */
  argv: string[];
  shell: boolean;
  /** env.<NAME>: templates. */
  env: Record<string, string>;
  output: 'directory' | 'stdout';
  /** A template: where the implementation writes `<Kind>-<name>.yaml`. */
  outputDir: string;
  status: 'none' | 'file';
  resync: boolean;
  features: string[];
  timeoutSeconds: number;
  /** A template: the directory the command runs in (default: the suite's). */
  cwd?: string;
  /** Absolute: where the state directories (and the token files in them) are made. Default os.tmpdir(). */
  tokenDir: string;
  name: string;
  version?: string;
}

export const DEFAULT_OUTPUT_DIR = '{stateDir}/namespaces/{namespace}/input/resources';
export const DEFAULT_TIMEOUT_SECONDS = 20;

/**
 * The characters a token file's path may have: Skupper's CLI refuses any other (`token file name is not
 * valid: value does not match this regular expression: ^[A-Za-z0-9./~-]+$`, its validator's
 * NewFilePathStringValidator). The state directories and token files are named within it.
 */
export const TOKEN_PATH = /^[A-Za-z0-9./~-]+$/;

const KEYS = ['command', 'shell', 'output', 'outputDir', 'status', 'resync', 'features', 'timeoutSeconds', 'cwd', 'tokenDir', 'name', 'version'];
/** Set by the suite itself (`--grant-host`): where the implementation reaches the grant service. Not ours. */
const PASSED_THROUGH = ['grantHost'];

const SITE_PLACEHOLDERS: Placeholder[] = ['namespace', 'siteName', 'siteId', 'stateDir'];
const TOKEN_PLACEHOLDERS: Placeholder[] = [...PLACEHOLDERS];

function bool(key: string, value: string | undefined, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new Error(`options.${key} must be "true" or "false", not "${value}"`);
}

function oneOf<T extends string>(key: string, value: string | undefined, allowed: readonly T[]): T {
  if (value === undefined) return allowed[0];
  if (!(allowed as readonly string[]).includes(value)) throw new Error(`options.${key} must be ${allowed.map((a) => `"${a}"`).join(' or ')}, not "${value}"`);
  return value as T;
}

function template(key: string, value: string, allowed: readonly Placeholder[]): string {
  try {
    checkTemplate(value, allowed);
  } catch (e) {
    if (e instanceof TemplateError) throw new Error(`options.${key}: ${e.message}`);
    throw e;
  }
  return value;
}

/**
 * Where the state directories are made: options.tokenDir (`~/` is the home directory; relative to the
 * suite's directory) or the system temp dir. Its path must have only the characters of TOKEN_PATH, or
 * a program as strict as Skupper's CLI would refuse every token file under it (macOS's temp dirs, under
 * /var/folders, hold `_`); what mkdtemp adds (six letters and digits) and the file names keep to them.
 */
export function tokenDirectory(given: string | undefined): string {
  if (given !== undefined && given.trim() === '') throw new Error('options.tokenDir is empty');
  const dir = resolve(expandHome(given ?? tmpdir()));
  if (!TOKEN_PATH.test(dir)) {
    const where = given === undefined ? `the system temp dir ${JSON.stringify(dir)}` : `options.tokenDir ${JSON.stringify(dir)}`;
    throw new Error(
      `token files cannot be written under ${where}: its path has characters outside [A-Za-z0-9./~-], which Skupper's CLI refuses in a token file's path; set options.tokenDir to a directory whose path has none (e.g. tokenDir: /tmp)`,
    );
  }
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    // reported below
  }
  if (!isDir) throw new Error(`${given === undefined ? 'the system temp dir' : 'options.tokenDir'} ${JSON.stringify(dir)} is not an existing directory`);
  return dir;
}

export function parseOptions(options: Record<string, string>): CommandOptions {
  for (const key of Object.keys(options)) {
    if (KEYS.includes(key) || PASSED_THROUGH.includes(key)) continue;
    if (key.startsWith('env.') && /^env\.[A-Za-z_][A-Za-z0-9_]*$/.test(key)) continue;
    if (key.startsWith('env.')) throw new Error(`options.${key}: "${key.slice(4)}" is not an environment variable name`);
    throw new Error(`unknown option "${key}" for the command adapter (known: ${KEYS.join(', ')}, env.<NAME>)`);
  }
  const command = options.command;
  if (command === undefined || command.trim() === '') throw new Error('the command adapter needs options.command (e.g. command=\'python3 redeem.py {tokenFile}\')');
  const shell = bool('shell', options.shell, false);
  template('command', command, TOKEN_PLACEHOLDERS);
  let argv: string[] = [];
  if (!shell) {
    try {
      argv = splitCommand(command);
    } catch (e) {
      throw new Error(`options.command: ${(e as Error).message}`);
    }
    if (argv.length === 0 || argv[0] === '') throw new Error('options.command names no program');
  }

  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(options)) {
    if (key.startsWith('env.')) env[key.slice(4)] = template(key, value, TOKEN_PLACEHOLDERS);
  }

  const output = oneOf('output', options.output, ['directory', 'stdout'] as const);
  if (output === 'stdout' && options.outputDir !== undefined) {
    throw new Error('options.outputDir is for output: directory; with output: stdout the resources come from the command\'s standard output');
  }
  const outputDir = template('outputDir', options.outputDir ?? DEFAULT_OUTPUT_DIR, SITE_PLACEHOLDERS);
  if (outputDir.trim() === '') throw new Error('options.outputDir is empty');
  if (!SITE_PLACEHOLDERS.some((p) => outputDir.includes(`{${p}}`))) {
    throw new Error('options.outputDir must contain {namespace} (or {stateDir}, {siteId}, {siteName}): each scenario\'s site needs a directory of its own');
  }
  const status = oneOf('status', options.status, ['none', 'file'] as const);
  const cwd = options.cwd === undefined ? undefined : template('cwd', options.cwd, SITE_PLACEHOLDERS);

  let timeoutSeconds = DEFAULT_TIMEOUT_SECONDS;
  if (options.timeoutSeconds !== undefined) {
    timeoutSeconds = Number(options.timeoutSeconds);
    if (options.timeoutSeconds.trim() === '' || !Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0) {
      throw new Error(`options.timeoutSeconds must be a number of seconds above 0, not "${options.timeoutSeconds}"`);
    }
  }

  const tokenDir = tokenDirectory(options.tokenDir);

  let resync = bool('resync', options.resync, false);
  const features = new Set<string>();
  for (const f of (options.features ?? '').split(',').map((x) => x.trim()).filter(Boolean)) {
    if (!Object.hasOwn(KNOWN_FEATURES, f)) throw new Error(`options.features: "${f}" is not a known feature (${Object.keys(KNOWN_FEATURES).join(', ')})`);
    if (f === 'status' && status !== 'file') {
      throw new Error('options.features: "status" needs status: file (with status: none the adapter makes the status up from the exit code)');
    }
    if (f === 'site-deletion') throw new Error('options.features: "site-deletion" cannot be claimed: the command adapter has no way to delete a site');
    if (f === 'token-deletion') throw new Error('options.features: "token-deletion" cannot be claimed: the command adapter has no way to delete a token through the program');
    if (f === 'resync') resync = true;
    features.add(f);
  }
  if (status === 'file') features.add('status');
  if (resync) features.add('resync');

  const program = basename(shell ? command.trim().split(/\s+/)[0] : argv[0]);
  return {
    command,
    argv,
    shell,
    env,
    output,
    outputDir,
    status,
    resync,
    features: [...features],
    timeoutSeconds,
    cwd,
    tokenDir,
    name: options.name?.trim() || `command (${program})`,
    version: options.version?.trim() || undefined,
  };
}
