// What a program under the command adapter leaves behind, read back as resources: a directory of
// `<Kind>-<name>.yaml` files (as Skupper's system mode writes its input resources) or a YAML stream. What
// cannot be read is a problem named in the evidence, never fatal: one bad document spoils no other.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseYamlDocuments } from '../../model/resources.ts';
import { isObject } from '../../model/text.ts';

/** How Skupper's system mode names its input resources: `<Kind>-<name>.yaml`. */
const RESOURCE_FILE = /^([A-Z][a-zA-Z]*)-(.+)\.(yaml|yml|json)$/;

/** Splits a YAML stream on its `---` lines and parses each document alone: one bad document spoils no other. */
export function parseStream(text: string, where: string, problems: string[]): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const chunks = text.split(/^---[ \t]*(?:#.*)?$/m);
  chunks.forEach((chunk, i) => {
    if (chunk.trim() === '') return;
    let docs: unknown[];
    try {
      docs = parseYamlDocuments(chunk);
    } catch (e) {
      problems.push(`${where}, document ${i + 1}: not valid YAML: ${String((e as Error).message).split('\n')[0]}`);
      return;
    }
    for (const doc of docs) {
      if (isObject(doc) && typeof doc.kind === 'string' && isObject(doc.metadata) && typeof doc.metadata.name === 'string') out.push(doc);
      else problems.push(`${where}, document ${i + 1}: not a resource with a kind and a metadata.name: ${JSON.stringify(doc).slice(0, 80)}`);
    }
  });
  return out;
}

/** The resources in an output directory (none when it does not exist), in file-name order. */
export function readOutputDir(outputDir: string, problems: string[]): Record<string, unknown>[] {
  let files: string[];
  try {
    files = readdirSync(outputDir).sort();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  const out: Record<string, unknown>[] = [];
  for (const file of files) {
    const path = join(outputDir, file);
    const match = RESOURCE_FILE.exec(file);
    if (!match) {
      problems.push(`${file}: ignored (not named <Kind>-<name>.yaml)`);
      continue;
    }
    let text: string;
    try {
      if (!statSync(path).isFile()) continue;
      text = readFileSync(path, 'utf8');
    } catch (e) {
      problems.push(`${file}: could not be read: ${(e as Error).message}`);
      continue;
    }
    for (const doc of parseStream(text, file, problems)) {
      if (doc.kind !== match[1]) problems.push(`${file}: holds a ${String(doc.kind)}, not a ${match[1]}`);
      out.push(doc);
    }
  }
  return out;
}
