/**
 * Changes one scalar in a YAML file and nothing else. The file is parsed (eemeli/yaml) only to
 * find the scalar's byte range; the new value is spliced into the original text there, so
 * comments, key order, indentation, blank lines and quoting of the rest stay byte-identical
 * (re-serializing a document would reflow long strings and requote values).
 */
import { Document, Node, Scalar, isAlias, isMap, isScalar, isSeq, parseAllDocuments, parse } from "yaml";

export class YamlEditError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "YamlEditError";
  }
}

export interface EditResult {
  /** The file's new text (the same text when nothing changed). */
  readonly text: string;
  /** The value before the edit, as written in the file (unquoted). */
  readonly previous: string;
  readonly changed: boolean;
  /** The path that was edited (a kustomization image name resolves to `images[name=…].newTag`). */
  readonly path: string;
}

type Segment = { key: string } | { index: number } | { field: string; equals: string };

/**
 * Splits `image.tag`, `images[0].newTag` or `images[name=registry.example/web].newTag` into
 * segments. Dots inside brackets belong to the selector, so image names with dots work.
 */
export function parsePath(path: string): Segment[] {
  const segments: Segment[] = [];
  const re = /([^.[\]]+)|\[(\d+)\]|\[([^=\]]+)=([^\]]+)\]|(\.)/gy;
  let expectKey = true;
  let m: RegExpExecArray | null;
  let consumed = 0;
  while ((m = re.exec(path)) !== null) {
    consumed = re.lastIndex;
    if (m[1] !== undefined) {
      if (!expectKey) throw new YamlEditError(`key ${JSON.stringify(path)} is invalid; write a dot path such as image.tag or images[name=web].newTag`);
      segments.push({ key: m[1] });
      expectKey = false;
    } else if (m[2] !== undefined) {
      segments.push({ index: Number(m[2]) });
    } else if (m[3] !== undefined) {
      segments.push({ field: m[3], equals: m[4]! });
    } else {
      if (expectKey) throw new YamlEditError(`key ${JSON.stringify(path)} is invalid; write a dot path such as image.tag or images[name=web].newTag`);
      expectKey = true;
    }
  }
  if (consumed !== path.length || path === "" || expectKey) {
    throw new YamlEditError(`key ${JSON.stringify(path)} is invalid; write a dot path such as image.tag or images[name=web].newTag`);
  }
  return segments;
}

const DIGEST_RE = /^sha256:[a-f0-9]{64}$/;

/**
 * Sets the scalar at `key` to `value` in YAML `text`. `key` is a dot path, or in a
 * kustomization file the name of an entry of `images:` (then `newTag`, or `digest` when the
 * value is a `sha256:` digest). Throws YamlEditError for invalid YAML, a missing key, an
 * ambiguous key, or a target that is not a plain or quoted scalar.
 */
export function setScalar(text: string, key: string, value: string, fileName = "file"): EditResult {
  if (value === "" || [...value].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)) {
    throw new YamlEditError(`value ${JSON.stringify(value)} is invalid; must be a non-empty single-line string such as v1.2.3 or sha256:<digest>`);
  }
  const docs = parseAllDocuments(text, { prettyErrors: true });
  if (!Array.isArray(docs)) throw new YamlEditError(`${fileName} holds no YAML document`);
  for (const doc of docs) {
    if (doc.errors.length > 0) throw new YamlEditError(`${fileName} is not valid YAML: ${doc.errors[0]!.message}`);
  }
  const path = kustomizationPath(docs, key, value, fileName) ?? key;
  const segments = parsePath(path);

  const found: Node[] = [];
  const problems: string[] = [];
  for (const doc of docs) {
    const r = resolve(doc, segments, path);
    if ("node" in r) found.push(r.node);
    else problems.push(r.problem);
  }
  if (found.length === 0) throw new YamlEditError(`${fileName}: ${problems[0] ?? `key ${path} not found`}`);
  if (found.length > 1) throw new YamlEditError(`${fileName}: key ${path} exists in ${found.length} documents of the file; it must be unique`);

  const node = found[0]!;
  if (isAlias(node)) throw new YamlEditError(`${fileName}: ${path} is an alias (*${node.source}); change the anchored value instead`);
  if (!isScalar(node)) throw new YamlEditError(`${fileName}: ${path} is a ${isMap(node) ? "mapping" : isSeq(node) ? "sequence" : "node"}, not a scalar; point key at a single value such as ${path}.tag`);
  const scalar = node as Scalar;
  const [start, end] = scalar.range ?? [];
  if (start === undefined || end === undefined || start === end) throw new YamlEditError(`${fileName}: key ${path} has no value to replace (write a placeholder value once by hand)`);
  const previous = typeof scalar.value === "string" ? scalar.value : text.slice(start, end);
  if (previous === value) return { text, previous, changed: false, path };
  const replacement = render(scalar, value, fileName, path);
  return { text: text.slice(0, start) + replacement + text.slice(end), previous, changed: true, path };
}

/** In a kustomization, `key` may name an image: `images[name=<key>].newTag` (or `.digest`). */
function kustomizationPath(docs: Document[], key: string, value: string, fileName: string): string | undefined {
  const root = docs[0]?.contents;
  const isKustomization = /(^|\/)kustomization\.ya?ml$/.test(fileName) || (isMap(root) && root.get("kind") === "Kustomization");
  if (!isKustomization || !isMap(root)) return undefined;
  const images = root.get("images", true);
  if (!isSeq(images)) return undefined;
  const entry = images.items.find((i) => isMap(i) && i.get("name") === key);
  if (!entry || !isMap(entry)) return undefined;
  const field = DIGEST_RE.test(value) ? "digest" : "newTag";
  if (!entry.has(field)) {
    throw new YamlEditError(`${fileName}: image ${JSON.stringify(key)} has no ${field} field; add \`${field}:\` to it once by hand (the bump only replaces existing values so the file's formatting is never rewritten)`);
  }
  return `images[name=${key}].${field}`;
}

function resolve(doc: Document, segments: Segment[], path: string): { node: Node } | { problem: string } {
  let node: unknown = doc.contents;
  let at = "";
  for (const seg of segments) {
    if ("key" in seg) {
      if (!isMap(node)) return { problem: `${at || "the document"} is ${describe(node)}, so it has no key ${JSON.stringify(seg.key)} (looking up ${path})` };
      const pair = node.items.find((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === seg.key);
      if (!pair) return { problem: `key ${path} not found (${at || "the document"} has no ${JSON.stringify(seg.key)})` };
      node = pair.value;
      at = at ? `${at}.${seg.key}` : seg.key;
    } else if ("index" in seg) {
      if (!isSeq(node) || seg.index >= node.items.length) return { problem: `key ${path} not found (${at} has no item ${seg.index})` };
      node = node.items[seg.index];
      at = `${at}[${seg.index}]`;
    } else {
      if (!isSeq(node)) return { problem: `${at} is ${describe(node)}, not a list (looking up ${path})` };
      const matches = node.items.filter((i) => isMap(i) && String(i.get(seg.field)) === seg.equals);
      if (matches.length === 0) return { problem: `key ${path} not found (${at} has no item with ${seg.field}=${seg.equals})` };
      if (matches.length > 1) return { problem: `${at} has ${matches.length} items with ${seg.field}=${seg.equals}; the key must select one` };
      node = matches[0];
      at = `${at}[${seg.field}=${seg.equals}]`;
    }
  }
  if (node === null || node === undefined) return { problem: `key ${path} has no value to replace` };
  return { node: node as Node };
}

function describe(node: unknown): string {
  if (isMap(node)) return "a mapping";
  if (isSeq(node)) return "a list";
  if (isScalar(node)) return `the scalar ${JSON.stringify(node.value)}`;
  return "empty";
}

/** The new value written in the original's quoting style; plain only when it reads back as the same string. */
function render(scalar: Scalar, value: string, fileName: string, path: string): string {
  switch (scalar.type) {
    case Scalar.QUOTE_DOUBLE:
      return JSON.stringify(value);
    case Scalar.QUOTE_SINGLE:
      return `'${value.replace(/'/g, "''")}'`;
    case Scalar.PLAIN:
    case undefined:
      return plainSafe(value) ? value : JSON.stringify(value);
    default:
      throw new YamlEditError(`${fileName}: ${path} is a block scalar (| or >); only plain or quoted single-line values can be bumped`);
  }
}

/**
 * `1.10` would read back as the number 1.1, `a: b` as a mapping, and `on` as true under YAML
 * 1.1 (go-yaml, so Helm and Kubernetes): such values get quotes.
 */
function plainSafe(value: string): boolean {
  if (value.trim() !== value || /[#:]\s|\s#|^[-?:,[\]{}#&*!|>'"%@`]/.test(value)) return false;
  try {
    return parse(`v: ${value}`, { version: "1.2" })?.v === value && parse(`v: ${value}`, { version: "1.1" })?.v === value;
  } catch {
    return false;
  }
}
