/**
 * Which of two image tags is newer, so a GitOps bump never moves a tag backwards.
 *
 * - Both look like versions (`v1.2.3`, `1.10`, `2.0.0-rc.1`): semver precedence (missing minor
 *   or patch count as 0; prereleases sort before their release; build metadata is ignored).
 * - Otherwise the tags are ordered by the source commits they were built from: the one whose
 *   commit is an ancestor of the other's is older. The caller resolves the commits (a tag that
 *   is a commit SHA is its own source; for a digest, the GitOps history records it).
 * - Anything else (a digest with no recorded source, two unrelated branches) is "unordered":
 *   the caller refuses rather than guessing.
 *
 * Pure functions, no @actions/core: the tests import this directly.
 */

export type Relation = "newer" | "same" | "older" | "unordered";

interface SemVer {
  readonly core: readonly [number, number, number];
  readonly pre: ReadonlyArray<string | number>;
}

const VERSION_RE = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+[0-9A-Za-z.-]+)?$/;
/** A full commit SHA (what release.yml tags images with). Never read as a version number. */
export const COMMIT_RE = /^[0-9a-f]{40}$/;

export function parseVersion(tag: string): SemVer | undefined {
  if (COMMIT_RE.test(tag)) return undefined;
  const m = VERSION_RE.exec(tag);
  if (!m) return undefined;
  const n = (s: string | undefined) => (s === undefined ? 0 : Number(s));
  const pre = m[4] === undefined ? [] : m[4].split(".").map((p) => (/^\d+$/.test(p) ? Number(p) : p));
  return { core: [n(m[1]), n(m[2]), n(m[3])], pre };
}

/** Semver precedence of `next` relative to `current`; undefined when either is not a version. */
export function compareVersions(current: string, next: string): Relation | undefined {
  const a = parseVersion(current);
  const b = parseVersion(next);
  if (!a || !b) return undefined;
  const sign = compareSemVer(b, a);
  return sign > 0 ? "newer" : sign < 0 ? "older" : "same";
}

function compareSemVer(x: SemVer, y: SemVer): number {
  for (let i = 0; i < 3; i++) if (x.core[i] !== y.core[i]) return x.core[i]! < y.core[i]! ? -1 : 1;
  // A release is newer than any of its prereleases.
  if (x.pre.length === 0 || y.pre.length === 0) return x.pre.length === y.pre.length ? 0 : x.pre.length === 0 ? 1 : -1;
  for (let i = 0; i < Math.max(x.pre.length, y.pre.length); i++) {
    const p = x.pre[i], q = y.pre[i];
    if (p === undefined) return -1;
    if (q === undefined) return 1;
    if (p === q) continue;
    if (typeof p === "number" && typeof q === "number") return p < q ? -1 : 1;
    if (typeof p === "number") return -1; // numeric identifiers sort before alphanumeric ones
    if (typeof q === "number") return 1;
    return p < q ? -1 : 1;
  }
  return 0;
}

/**
 * The relation by ancestry, from two answers the caller gets from git
 * (`merge-base --is-ancestor`): is the current commit an ancestor of the next, and vice versa.
 */
export function relationByAncestry(currentCommit: string, nextCommit: string, currentIsAncestor: boolean, nextIsAncestor: boolean): Relation {
  if (currentCommit === nextCommit) return "same";
  if (currentIsAncestor) return "newer";
  if (nextIsAncestor) return "older";
  return "unordered";
}

/**
 * The source commit a GitOps commit message records for `path in file: old → value`
 * (image-bump writes "<path> in <file>: <old> → <new>" and "Source commit: [owner/repo@]<sha>").
 */
export function recordedSource(messages: readonly string[], path: string, file: string, value: string): string | undefined {
  const line = `${path} in ${file}: `;
  for (const body of messages) {
    const lines = body.split("\n");
    if (!lines.some((l) => l.startsWith(line) && l.endsWith(` → ${value}`))) continue;
    const src = lines.map((l) => /^Source commit: (?:[\w.-]+\/[\w.-]+@)?([0-9a-f]{40})$/.exec(l.trim())?.[1]).find(Boolean);
    if (src) return src;
  }
  return undefined;
}
