// Reading manifests for apply and delete -f: files, directories (-R to descend) and stdin,
// each multi-document YAML (or JSON), every object with the file and line it starts at so
// errors can say where. A document that does not parse fails alone; the others still come.

import fs from 'node:fs';
import path from 'node:path';
import type { KubeObject } from '../../common/api/meta.js';
import { parseYamlDocuments, type YamlError } from '../../common/yaml.js';

export interface ManifestObject {
  obj: KubeObject & Record<string, unknown>;
  /** As the user named it (`-` is `<stdin>`). */
  file: string;
  /** 1-based line where the object starts. */
  line: number;
  /** The document's text from that line on, to find fields in (absent for the items of a List). */
  text?: string;
}

/** `file:line` (and `:column`) as editors and terminals link them. */
export function where(file: string, line: number, column?: number): string {
  return column ? `${file}:${line}:${column}` : `${file}:${line}`;
}

export interface ManifestSet {
  objects: ManifestObject[];
  /** One message per file or document that could not be read, each saying where. */
  problems: string[];
}

const manifestExt = /\.(ya?ml|json)$/i;

/** The files a -f argument stands for: itself, or the manifests in a directory (sorted; deeper with -R). */
function filesOf(p: string, recursive: boolean): string[] {
  const st = fs.statSync(p);
  if (!st.isDirectory()) return [p];
  const out: string[] = [];
  for (const e of fs.readdirSync(p, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const child = path.join(p, e.name);
    if (e.isDirectory()) {
      if (recursive) out.push(...filesOf(child, true));
    } else if (manifestExt.test(e.name)) out.push(child);
  }
  return out;
}

/** The message of a YAML syntax error: position, reason, and the offending line with a caret. */
export function yamlProblem(file: string, text: string, e: YamlError, docLine: number): string {
  const line = e.line ?? docLine;
  const src = text.split('\n')[line - 1];
  let msg = `${where(file, line, e.column)}: YAML syntax error: ${e.message}`;
  if (src !== undefined) {
    const gutter = `${line} | `;
    msg += `\n  ${gutter}${src}`;
    if (e.column) msg += `\n  ${' '.repeat(gutter.length - 2)}| ${' '.repeat(e.column - 1)}^`;
  }
  return msg;
}

/** The lines of the document that starts at `line`, up to the next `---`. */
function documentText(lines: string[], line: number): string {
  const end = lines.findIndex((l, i) => i >= line && /^---(\s|$)/.test(l));
  return lines.slice(line - 1, end < 0 ? lines.length : end).join('\n');
}

function objectsOf(value: unknown, file: string, line: number, problems: string[], out: ManifestObject[], text?: string): void {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    problems.push(`${where(file, line)}: expected an object (a YAML mapping with apiVersion, kind and metadata), found ${Array.isArray(value) ? 'a list' : JSON.stringify(value)}`);
    return;
  }
  const obj = value as KubeObject & Record<string, unknown>;
  // A `kind: List` (what `get -o yaml` prints for several objects) applies item by item.
  if (obj.kind === 'List' && Array.isArray(obj.items)) {
    for (const item of obj.items as unknown[]) objectsOf(item, file, line, problems, out);
    return;
  }
  const missing = [!obj.apiVersion && 'apiVersion', !obj.kind && 'kind', !obj.metadata?.name && 'metadata.name'].filter(Boolean);
  if (missing.length) {
    problems.push(`${where(file, line)}: ${obj.kind ? `${obj.kind} ` : 'an object '}without ${missing.join(', ')}: every object needs apiVersion, kind and metadata.name`);
    return;
  }
  out.push({ obj, file, line, ...(text !== undefined ? { text } : {}) });
}

/** Every object of `sources` (`-` reads stdin once). */
export async function readManifests(sources: string[], recursive: boolean, readStdin: () => Promise<string>): Promise<ManifestSet> {
  const set: ManifestSet = { objects: [], problems: [] };
  for (const source of sources) {
    const texts: { file: string; text: string }[] = [];
    if (source === '-') {
      texts.push({ file: '<stdin>', text: await readStdin() });
    } else {
      try {
        const files = filesOf(source, recursive);
        if (!files.length) set.problems.push(`${source}: no manifests (*.yaml, *.yml, *.json) in this directory${recursive ? '' : ' (use -R for its subdirectories)'}`);
        for (const f of files) texts.push({ file: f, text: fs.readFileSync(f, 'utf8') });
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        set.problems.push(code === 'ENOENT' ? `the path "${source}" does not exist` : `${source}: ${(e as Error).message}`);
        continue;
      }
    }
    for (const { file, text } of texts) {
      const lines = text.split('\n');
      for (const doc of parseYamlDocuments(text)) {
        if ('error' in doc) set.problems.push(yamlProblem(file, text, doc.error, doc.line));
        else objectsOf(doc.value, file, doc.line, set.problems, set.objects, documentText(lines, doc.line));
      }
    }
  }
  return set;
}
