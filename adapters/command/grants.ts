// `--side grant-service --impl command`: a token-issuing program judged as a grant service, Skupper's
// `skupper token issue <file>` the model. Each applyGrant() runs the issue command once; the token file it
// writes gives url, code and ca, and the suite redeems against them itself. What the program serves from is
// its own affair: a server it already runs, or one the `serve` command starts for the run. The program
// keeps its grants to itself, so the rules that read an AccessGrant's status, or need the suite's
// AccessGrant to be the grant (its name, uid, spec.code), are unsupported. See docs/adapters.md,
// "A token-issuing command".
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { GrantServiceImplementation, IssuingSite } from '../contract.ts';
import { parseYamlDocuments, SKUPPER_API_VERSION, type AccessGrant, type AccessToken } from '../../model/resources.ts';
import { redactText } from '../../model/redact.ts';
import { firstLine, isObject } from '../../model/text.ts';
import { parseGrantCommandOptions, type GrantCommandOptions } from './grant-options.ts';
import { tokenDirectory } from './options.ts';
import { onInterrupt } from './interrupts.ts';
import { killGroup, runCommand, type CommandResult } from './process.ts';
import { expand, expandHome, type Values } from './template.ts';

/** The run's state directory is made under tokenDir (default os.tmpdir()) with this prefix. */
export const GRANT_STATE_DIR_PREFIX = 'atc-grants-';


interface Issued {
  grant: AccessGrant;
  token: AccessToken & { spec: { url: string; code: string; ca: string } };
}

/** The last line a program printed: Skupper's CLI prints its errors on stdout, others on stderr. */
function lastWord(result: CommandResult): string | undefined {
  for (const text of [result.stderr, result.stdout]) {
    const line = text.split(/\r?\n/).map((l) => l.trim()).filter(Boolean).pop();
    if (line) return line;
  }
  return undefined;
}

export class CommandGrantService implements GrantServiceImplementation {
  readonly name: string;
  readonly version?: string;
  readonly features: string[];
  readonly deleteGrant?: (name: string, site: IssuingSite) => Promise<void>;
  private readonly stateDir: string;
  private readonly issued = new Map<string, Issued>();
  private readonly groups = new Set<number>();
  private serving?: { done: Promise<CommandResult>; ended?: CommandResult };
  private closed = false;
  private readonly stopWatching: () => void;

  constructor(readonly options: GrantCommandOptions) {
    this.name = options.name;
    this.version = options.version;
    this.features = [...options.features];
    this.stateDir = mkdtempSync(join(tokenDirectory(options.tokenDir), GRANT_STATE_DIR_PREFIX));
    for (const d of ['sites', 'tokens']) mkdirSync(join(this.stateDir, d), { mode: 0o700 });
    this.stopWatching = onInterrupt(() => this.abandon());
    if (options.delete) this.deleteGrant = (name, site) => this.delete(name, site);
  }

  async prepareSite(site: IssuingSite): Promise<IssuingSite> {
    this.serve();
    // the issuing site as a Skupper Site resource, its endpoints in status as Skupper's controller keeps them
    const resource = {
      apiVersion: SKUPPER_API_VERSION,
      kind: 'Site',
      metadata: { name: site.name, namespace: site.namespace, uid: site.uid },
      status: { endpoints: site.endpoints },
    };
    writeFileSync(this.siteFile(site), `${JSON.stringify(resource, null, 2)}\n`, { mode: 0o600 });
    return site;
  }

  async applyGrant(grant: AccessGrant, site: IssuingSite): Promise<void> {
    const name = grant.metadata.name;
    const key = `${site.namespace}/${name}`;
    if (this.issued.has(key)) throw new Error(`AccessGrant "${name}" was issued already: a token-issuing command cannot change a grant it issued`);
    if (grant.spec?.code) throw new Error('the grant sets spec.code, which a token-issuing command is not given (the "grant-resource" feature)');
    const tokenDir = join(this.stateDir, 'tokens', site.namespace);
    mkdirSync(tokenDir, { recursive: true, mode: 0o700 });
    const tokenFile = join(tokenDir, `${name}.yaml`);
    const values: Values = { ...this.siteValues(site), tokenFile, grantName: name };
    this.serve();

    const argv = [...this.options.issue];
    for (const field of ['redemptionsAllowed', 'expirationWindow'] as const) {
      const value = grant.spec?.[field];
      if (value === undefined) continue;
      const args = this.options.issueArgs[field];
      if (!args) throw new Error(`the grant sets spec.${field}, and options.issue.${field} does not say how the issue command is given it`);
      argv.push(...args);
      values[field] = String(value);
    }
    const result = await this.run('issue', argv, values);
    this.failIfFailed('issue', result);

    const token = this.readToken(tokenFile);
    this.issued.set(key, { grant: structuredClone(grant), token });
  }

  async observe(site: IssuingSite): Promise<{ accessGrants: AccessGrant[] }> {
    const accessGrants: AccessGrant[] = [];
    for (const { grant, token } of this.issued.values()) {
      if (grant.metadata.namespace !== site.namespace) continue;
      const { url, code, ca } = token.spec;
      accessGrants.push({ ...structuredClone(grant), status: { url, code, ca } });
    }
    return { accessGrants };
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const pid of this.groups) killGroup(pid);
    await this.serving?.done;
    rmSync(this.stateDir, { recursive: true, force: true });
    this.stopWatching();
  }

  /** The process is going away: kill what runs and remove what was made, synchronously. */
  abandon(): void {
    this.closed = true;
    for (const pid of this.groups) killGroup(pid);
    rmSync(this.stateDir, { recursive: true, force: true });
  }

  // ------------------------------------------------------------------------------------------------

  private async delete(name: string, site: IssuingSite): Promise<void> {
    const key = `${site.namespace}/${name}`;
    const issued = this.issued.get(key);
    if (!issued) throw new Error(`no AccessGrant "${name}" was issued in ${site.namespace}`);
    const values = { ...this.siteValues(site), grantName: name, issuedName: issued.token.metadata?.name ?? name };
    this.failIfFailed('delete', await this.run('delete', this.options.delete!, values));
    this.issued.delete(key);
  }

  /** Starts the serve command at the first use (not at create(): a preflight or `list` only wants the features). */
  private serve(): void {
    if (!this.options.serve || this.serving) return;
    const done = this.run('serve', this.options.serve, { stateDir: this.stateDir }, 2 ** 31 - 1);
    this.serving = { done };
    void done.then((result) => {
      if (this.serving) this.serving.ended = result;
    });
  }

  private run(what: string, argv: string[], values: Values, timeoutMs = this.options.timeoutSeconds * 1000): Promise<CommandResult> {
    if (this.closed) throw new Error('the command grant service adapter was closed');
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const [k, v] of Object.entries(this.options.env)) env[k] = expand(v, values);
    const cwd = this.options.cwd === undefined ? undefined : resolve(expandHome(expand(this.options.cwd, values)));
    let expanded: string[];
    try {
      expanded = argv.map((a) => expand(a, values));
    } catch (e) {
      throw new Error(`the ${what} command: ${firstLine(e)}`);
    }
    return runCommand({ argv: expanded, cwd, env, timeoutMs, groups: this.groups });
  }

  /** Throws what a failed command said, with what became of the serve command when it has ended. */
  private failIfFailed(what: string, result: CommandResult): void {
    let failure: string | undefined;
    if (result.spawnError) failure = `could not be started: ${result.spawnError.code === 'ENOENT' ? `"${result.spawnError.path}" was not found (ENOENT)` : result.spawnError.message}`;
    else if (result.timedOut) failure = `timed out after ${this.options.timeoutSeconds} s; its process group was killed`;
    else if (result.code !== 0) {
      const said = lastWord(result);
      failure = `${result.signal ? `was killed by ${result.signal}` : `exited with code ${result.code}`}${said ? `: ${said}` : ''}`;
    }
    if (!failure) return;
    const ended = this.serving?.ended;
    const serving = ended ? ` (the serve command had ended: ${ended.signal ?? `code ${ended.code}`}${lastWord(ended) ? `: ${lastWord(ended)}` : ''})` : '';
    throw new Error(this.redact(`the ${what} command ${failure}${serving}`));
  }

  private readToken(tokenFile: string): Issued['token'] {
    let text: string;
    try {
      text = readFileSync(tokenFile, 'utf8');
    } catch {
      throw new Error(`the issue command exited 0 but wrote no token file at ${tokenFile}`);
    }
    let doc: unknown;
    try {
      doc = parseYamlDocuments(text)[0];
    } catch (e) {
      throw new Error(`the token file the issue command wrote is not YAML: ${firstLine(e)}`);
    }
    const spec = isObject(doc) && isObject(doc.spec) ? doc.spec : undefined;
    const missing = ['url', 'code', 'ca'].filter((k) => typeof spec?.[k] !== 'string' || spec[k] === '');
    if (missing.length > 0) throw new Error(`the token file the issue command wrote has no spec.${missing.join(', spec.')}`);
    return doc as Issued['token'];
  }

  private siteValues(site: IssuingSite): Values {
    return { namespace: site.namespace, siteName: site.name, siteId: site.uid, siteFile: this.siteFile(site), stateDir: this.stateDir };
  }

  private siteFile(site: IssuingSite): string {
    return join(this.stateDir, 'sites', `${site.namespace}.json`);
  }

  private redact(text: string): string {
    return redactText(text, [...this.issued.values()].map((i) => i.token.spec.code));
  }
}

export default async function create(options: Record<string, string> = {}): Promise<GrantServiceImplementation> {
  return new CommandGrantService(parseGrantCommandOptions(options));
}
