/**
 * Thin, promise-based git for the actions: every call is `git -C <dir> …` with arguments
 * passed as an array (no shell), and failures carry git's own stderr.
 */
import { execFile } from "child_process";

/** A full commit SHA: 40 hex digits (SHA-1) or 64 (SHA-256 repositories). */
export const FULL_SHA = /^[0-9a-f]{40}([0-9a-f]{24})?$/;

export class GitError extends Error {
  constructor(public readonly args: readonly string[], public readonly stderr: string, public readonly code: number | null) {
    super(`git ${args.join(" ")} failed: ${stderr.trim() || `exit code ${code}`}`);
    this.name = "GitError";
  }
}

export interface GitOptions {
  /** Extra `-c key=value` settings for this call (e.g. an auth header that is never written to disk). */
  readonly config?: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
}

export function git(dir: string, args: readonly string[], options: GitOptions = {}): Promise<string> {
  const full = [...(options.config ?? []).flatMap((c) => ["-c", c]), "-C", dir, ...args];
  return new Promise((resolve, reject) => {
    execFile("git", full, { env: { ...process.env, GIT_TERMINAL_PROMPT: "0", ...options.env }, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new GitError(args, String(stderr), typeof err.code === "number" ? err.code : null));
      else resolve(String(stdout));
    });
  });
}

/** The `x-access-token:<token>` credential git sends in its Authorization header (mask it too: git echoes it in a trace). */
export function basicCredential(token: string): string {
  return token ? Buffer.from(`x-access-token:${token}`).toString("base64") : "";
}

/** `-c http.extraheader=…` for a token (pass as `config`), never written to the repository's config; none without a token. */
export function authConfig(token: string): string[] {
  return token ? [`http.extraheader=AUTHORIZATION: basic ${basicCredential(token)}`] : [];
}

/** Push failures that a fetch + rebase + retry can fix: someone else pushed first. */
export function isRejectedPush(err: unknown): boolean {
  return err instanceof GitError
    && /\[rejected\]|\[remote rejected\]|non-fast-forward|fetch first|cannot lock ref|failed to lock|failed to update ref|incorrect old value|stale info/i.test(err.stderr);
}

export interface RepositoryRef {
  readonly owner: string;
  readonly repo: string;
}

/** owner/name from `owner/name`, or from a GitHub remote URL (https or ssh, with or without .git). */
export function parseRepository(value: string): RepositoryRef | undefined {
  const m = /^(?:https?:\/\/[^/]+\/|git@[^:]+:|ssh:\/\/git@[^/]+\/)?([\w.-]+)\/([\w.-]+?)(?:\.git)?\/?$/.exec(value.trim());
  return m ? { owner: m[1]!, repo: m[2]! } : undefined;
}
