// `--impl command`: any program that redeems a token file, run through a command template — Skupper's
// system-mode CLI (`skupper token redeem <file> --platform podman`) is the model. Each apply() writes the
// token to a file and runs the command once; what the program created is read back from a directory of
// `<Kind>-<name>.yaml` files (as Skupper writes into the namespace's input/resources) or from a YAML stream
// on its stdout. A program that keeps no status (status: none) is judged by its exit code and its last
// line of stderr (or of stdout, where Skupper's CLI prints its errors, when stderr has none and stdout is
// not the resource stream); one that writes an AccessToken back (status: file) is judged by what it wrote.
// Token files and state directories have only the characters Skupper's CLI accepts in a token file's
// path, [A-Za-z0-9./~-] (options.tokenDir; create() refuses a directory that would break that).
// See docs/adapters.md, "The command adapter".
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import type { Implementation, Observation, OtherResource, Site } from '../contract.ts';
import { isObject, shellQuote } from '../../model/text.ts';
import { SKUPPER_API_VERSION, type AccessToken, type AccessTokenStatus, type Link, type Secret } from '../../model/resources.ts';
import { redactText } from '../../model/redact.ts';
import { onInterrupt } from './interrupts.ts';
import { parseOptions, TOKEN_PATH, type CommandOptions } from './options.ts';
import { parseStream, readOutputDir } from './output.ts';
import { killGroup, runCommand, type CommandResult } from './process.ts';
import { expand, expandHome, type Values } from './template.ts';

/**
 * Every site's state directory is made under options.tokenDir (os.tmpdir() by default) with this prefix
 * and six letters and digits (mkdtemp's), and removed by close().
 */
export const STATE_DIR_PREFIX = 'atc-command-';

/** A token file is `<name>.yaml`: the name keeps to what a token file's path may have (TOKEN_PATH). */
const TOKEN_NAME = /^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/;

/** What an observation carries besides the resources: shown as evidence when a scenario fails. */
export interface CommandEvidence {
  /** Files and documents that could not be read as resources (they are left out, not fatal). */
  problems?: string[];
  /** The last run of the command for each token. */
  runs?: RunRecord[];
}

interface RunRecord {
  token: string;
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  durationMs: number;
  /** The last lines of stderr, redacted of the token's code. */
  stderr: string[];
  /** output: directory — the last lines of stdout, redacted of the token's code. */
  stdout?: string[];
}

interface TokenRecord {
  token: AccessToken;
  /** The status made up from the last run: exit code and stderr (or stdout). */
  synthesized?: AccessTokenStatus;
  /** exited: the program ran and ended by itself; otherwise the adapter ended it or could not start it. */
  lastRun?: 'exited' | 'timed-out' | 'not-started';
  run?: RunRecord;
}

interface SiteState {
  site: Site;
  stateDir: string;
  /** Absolute. */
  outputDir: string;
  values: Values;
  tokens: Map<string, TokenRecord>;
  /** output: stdout — the resources the command printed, by kind/name; later runs overwrite. */
  streamed: Map<string, Record<string, unknown>>;
  streamProblems: string[];
  /** An output directory outside the state directory: what to remove there on close(). */
  external?: { createdDirs: string[]; existing: Set<string> };
  /** Runs in progress (apply and resync may overlap only through misuse; they are serialised). */
  queue: Promise<unknown>;
}


function isInside(child: string, parent: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

function lastNonEmptyLine(text: string): string | undefined {
  return text.split(/\r?\n/).map((l) => l.trim()).filter(Boolean).pop();
}

function sameSpec(a: AccessToken, b: AccessToken): boolean {
  return JSON.stringify(a.spec ?? null) === JSON.stringify(b.spec ?? null);
}

export class CommandImplementation implements Implementation {
  readonly name: string;
  readonly version?: string;
  readonly features: string[];
  private readonly sites = new Map<string, SiteState>();
  private readonly groups = new Set<number>();
  private closed = false;
  /** Set while there are sites: undoes the interrupt watch (interrupts.ts). */
  private stopWatching?: () => void;

  constructor(readonly options: CommandOptions) {
    this.name = options.name;
    this.version = options.version;
    this.features = [...options.features];
  }

  // ------------------------------------------------------------------------------------------------
  // the contract

  async apply(token: AccessToken, site: Site): Promise<void> {
    const name = token?.metadata?.name;
    if (typeof name !== 'string' || !TOKEN_NAME.test(name)) {
      throw new Error(`the command adapter cannot name a file after the token name ${JSON.stringify(name)} (letters, digits, "." and "-" only)`);
    }
    const state = this.siteState(site);
    await this.serialised(state, async () => {
      const held = state.tokens.get(name);
      if (held) {
        // an update, as kubectl apply: the spec changes, the status stays
        const changed = !sameSpec(held.token, token);
        held.token = {
          ...structuredClone(token),
          metadata: { ...structuredClone(token.metadata), namespace: site.namespace, generation: (held.token.metadata.generation ?? 1) + (changed ? 1 : 0) },
        };
        delete held.token.status;
        // handed over again, redeemed or not, with the status the program wrote: whether a redeemed token
        // is submitted again is the program's to decide (AT-USE-001 judges it), not the adapter's
        await this.run(state, held);
        return;
      }
      const record: TokenRecord = {
        token: { ...structuredClone(token), metadata: { ...structuredClone(token.metadata), namespace: site.namespace, generation: 1 } },
      };
      delete record.token.status;
      state.tokens.set(name, record);
      await this.run(state, record);
    });
  }

  async observe(site: Site): Promise<Observation & CommandEvidence> {
    const state = this.sites.get(site.namespace);
    if (!state) return { accessTokens: [], secrets: [], links: [] };
    const problems: string[] = [];
    const resources = this.resources(state, problems);
    const secrets = resources.filter((r) => r.kind === 'Secret') as unknown as Secret[];
    const links = resources.filter((r) => r.kind === 'Link') as unknown as Link[];
    const written = this.options.status === 'file' ? (resources.filter((r) => r.kind === 'AccessToken') as unknown as AccessToken[]) : [];
    const accessTokens = [...state.tokens.values()].map((record) => this.reported(state, record, written));
    const runs = [...state.tokens.values()].flatMap((r) => (r.run ? [r.run] : []));
    // whatever else the program wrote where it writes resources: a document of another kind in an answer
    // must not become one (AT-HOSTILE-002), and this is where a system-mode site would pick it up
    const others = resources.filter((r) => !['Secret', 'Link', 'AccessToken'].includes(r.kind as string)) as unknown as OtherResource[];
    return {
      accessTokens,
      secrets,
      links,
      others,
      ...(problems.length > 0 ? { problems } : {}),
      ...(runs.length > 0 ? { runs } : {}),
    };
  }

  /**
   * Runs the command again for every token, as Skupper's system mode redeems every AccessToken in its input
   * resources on each render. Redeemed ones too: whether the program submits them again (AT-USE-001) and
   * retries the failed ones (AT-USE-003) is then its own doing, read from the status it wrote.
   */
  async resync(site: Site): Promise<void> {
    const state = this.siteState(site);
    await this.serialised(state, async () => {
      for (const record of state.tokens.values()) await this.run(state, record);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const pid of this.groups) killGroup(pid);
    await Promise.allSettled([...this.sites.values()].map((s) => s.queue));
    this.removeEverything();
    this.stopWatching?.();
    this.stopWatching = undefined;
  }

  /** The process is going away: kill what runs and remove what was made, synchronously. */
  abandon(): void {
    this.closed = true;
    for (const pid of this.groups) killGroup(pid);
    this.removeEverything();
  }

  // ------------------------------------------------------------------------------------------------

  private serialised<T>(state: SiteState, work: () => Promise<T>): Promise<T> {
    const next = state.queue.then(work, work);
    state.queue = next.catch(() => undefined);
    return next;
  }

  private siteState(site: Site): SiteState {
    if (this.closed) throw new Error('the command adapter was closed');
    const known = this.sites.get(site.namespace);
    if (known) return known;
    // a run interrupted (Ctrl-C, a CI job cancelled) kills the commands' process groups and removes the state
    this.stopWatching ??= onInterrupt(() => this.abandon());
    const stateDir = mkdtempSync(join(this.options.tokenDir, STATE_DIR_PREFIX));
    if (!TOKEN_PATH.test(join(stateDir, 'tokens'))) {
      // create() checked tokenDir, and mkdtemp adds letters and digits: this is only a guard
      rmSync(stateDir, { recursive: true, force: true });
      throw new Error(`the state directory ${JSON.stringify(stateDir)} has characters outside [A-Za-z0-9./~-]: set options.tokenDir`);
    }
    const siteValues: Values = { namespace: site.namespace, siteName: site.name, siteId: site.uid, stateDir };
    const cwd = this.options.cwd === undefined ? process.cwd() : resolve(expandHome(expand(this.options.cwd, siteValues)));
    const outputDir = resolve(cwd, expandHome(expand(this.options.outputDir, siteValues)));
    const state: SiteState = {
      site,
      stateDir,
      outputDir,
      values: { ...siteValues, outputDir },
      tokens: new Map(),
      streamed: new Map(),
      streamProblems: [],
      queue: Promise.resolve(),
    };
    this.sites.set(site.namespace, state);
    mkdirSync(join(stateDir, 'tokens'), { recursive: true, mode: 0o700 });
    if (!isInside(outputDir, stateDir)) {
      // outside our temp dir (Skupper's ~/.local/share/skupper/...): remember what was there, so that
      // close() removes only what the run made
      const createdDirs: string[] = [];
      for (let d = outputDir; !existsSync(d); d = dirname(d)) createdDirs.push(d);
      const existing = new Set(createdDirs.length === 0 ? readdirSync(outputDir) : []);
      state.external = { createdDirs, existing };
    }
    if (this.options.output === 'directory') mkdirSync(outputDir, { recursive: true });
    return state;
  }

  private async run(state: SiteState, record: TokenRecord): Promise<void> {
    const name = record.token.metadata.name;
    const tokenFile = join(state.stateDir, 'tokens', `${name}.yaml`);
    // JSON is YAML: any YAML reader takes it, and a line-based reader finds the code byte for byte
    const current = this.reported(state, record);
    const file = { apiVersion: SKUPPER_API_VERSION, kind: 'AccessToken', metadata: record.token.metadata, spec: record.token.spec, ...(current.status ? { status: current.status } : {}) };
    rmSync(tokenFile, { force: true });
    writeFileSync(tokenFile, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
    chmodSync(tokenFile, 0o600); // whatever the umask: the file holds the code
    const values: Values = { ...state.values, tokenFile, tokenName: name };
    const quote = this.options.shell ? shellQuote : undefined;
    const argv = this.options.shell ? ['/bin/sh', '-c', expand(this.options.command, values, quote)] : this.options.argv.map((a) => expand(a, values));
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const [k, v] of Object.entries(this.options.env)) env[k] = expand(v, values);
    const cwd = this.options.cwd === undefined ? undefined : resolve(expandHome(expand(this.options.cwd, values)));

    const result = await runCommand({ argv, cwd, env, timeoutMs: this.options.timeoutSeconds * 1000, groups: this.groups });
    const codes = [record.token.spec?.code, record.token.spec?.code?.trim()].filter((c): c is string => typeof c === 'string');
    const redact = (text: string) => redactText(text, codes);
    if (this.options.output === 'stdout') {
      for (const doc of parseStream(result.stdout, `stdout of the run for "${name}"`, state.streamProblems)) {
        state.streamed.set(`${doc.kind}/${(doc.metadata as { name: string }).name}`, doc);
      }
    }
    const lastLines = (text: string) => redact(text).split(/\r?\n/).filter((l) => l.trim() !== '').slice(-20);
    record.run = {
      token: name,
      exitCode: result.code,
      signal: result.signal,
      timedOut: result.timedOut,
      durationMs: Math.round(result.durationMs),
      stderr: lastLines(result.stderr),
      ...(this.options.output === 'directory' ? { stdout: lastLines(result.stdout) } : {}),
    };
    record.lastRun = result.spawnError ? 'not-started' : result.timedOut ? 'timed-out' : 'exited';
    record.synthesized = this.outcomeOf(result, argv[0], redact);
  }

  /**
   * The status a program that keeps none is given: its exit code, and as the message of a failure its
   * last word on stderr or, when it wrote nothing there, on stdout (Skupper's CLI prints its errors on
   * stdout: `fmt.Println(err)`, then exit 1). With output: stdout the stdout is the resource stream, never
   * a message.
   */
  private outcomeOf(result: CommandResult, program: string, redact: (t: string) => string): AccessTokenStatus {
    if (result.spawnError) {
      const e = result.spawnError;
      const why = e.code === 'ENOENT' ? `"${e.path ?? program}" was not found${this.options.cwd ? ' (or the cwd does not exist)' : ''} (ENOENT)` : `${e.message}`;
      return { status: 'Error', message: `the command could not be started: ${why}` };
    }
    if (result.timedOut) {
      return { status: 'Error', message: `the command timed out after ${this.options.timeoutSeconds} s; its process group was killed` };
    }
    if (result.code === 0) return { status: 'Ready', message: 'OK' };
    const line = lastNonEmptyLine(result.stderr) ?? (this.options.output === 'directory' ? lastNonEmptyLine(result.stdout) : undefined);
    const message = line ? redact(line) : result.signal ? `the command was killed by ${result.signal}` : `the command exited with code ${result.code}`;
    return { status: 'Error', message };
  }

  /** The token as the suite sees it: as applied, with the status the program wrote or the one made up for it. */
  private reported(state: SiteState, record: TokenRecord, written?: AccessToken[]): AccessToken {
    const token = structuredClone(record.token);
    let status = record.synthesized;
    if (this.options.status === 'file' && record.lastRun === 'exited') {
      const list = written ?? (this.resources(state, []).filter((r) => r.kind === 'AccessToken') as unknown as AccessToken[]);
      const mine = list.find((t) => t.metadata?.name === token.metadata.name);
      if (isObject(mine?.status)) status = mine.status;
    }
    if (status) token.status = structuredClone(status);
    return token;
  }

  /** What the program created: the output directory's files, or what it printed. */
  private resources(state: SiteState, problems: string[]): Record<string, unknown>[] {
    if (this.options.output === 'stdout') {
      problems.push(...state.streamProblems);
      return [...state.streamed.values()].map((d) => structuredClone(d));
    }
    return readOutputDir(state.outputDir, problems);
  }

  /** Removes every state directory and what the run left in an output directory outside them. */
  private removeEverything(): void {
    for (const state of this.sites.values()) {
      rmSync(state.stateDir, { recursive: true, force: true });
      const ext = state.external;
      if (!ext) continue;
      try {
        for (const f of readdirSync(state.outputDir)) {
          if (!ext.existing.has(f)) rmSync(join(state.outputDir, f), { recursive: true, force: true });
        }
      } catch {
        // gone already
      }
      for (const d of ext.createdDirs) {
        try {
          rmdirSync(d);
        } catch {
          break; // not empty: something else lives there now; leave it
        }
      }
    }
    this.sites.clear();
  }
}

export default async function create(options: Record<string, string> = {}): Promise<Implementation> {
  return new CommandImplementation(parseOptions(options));
}
