import { execFileSync } from "child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { dirname, join } from "path";

const IDENTITY = { GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@example.com", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@example.com" };

/** `git <args>` in `cwd` with a fixed test identity; returns stdout. */
export function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", args, { cwd, encoding: "utf8", env: { ...process.env, ...IDENTITY } });
}

/**
 * A bare repository (`<root>/gitops.git`, branch main) whose first commit holds `files`, as a
 * GitOps repository the release jobs clone and push to; `clone()` is a fresh clone of it, as a
 * release job would have, `remoteFile()` a file on one of its branches.
 */
export function bareRemote(prefix: string, files: Readonly<Record<string, string>>) {
  const root = mkdtempSync(join(tmpdir(), prefix));
  const remote = join(root, "gitops.git");
  git(root, "init", "--quiet", "--bare", "--initial-branch=main", remote);
  const seed = join(root, "seed");
  git(root, "init", "--quiet", "--initial-branch=main", seed);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(seed, path)), { recursive: true });
    writeFileSync(join(seed, path), text);
  }
  git(seed, "add", ".");
  git(seed, "commit", "--quiet", "-m", "seed");
  git(seed, "push", "--quiet", remote, "main");
  let clones = 0;
  const clone = (): string => {
    const dir = join(root, `clone-${clones++}`);
    git(root, "clone", "--quiet", remote, dir);
    return dir;
  };
  const remoteFile = (path: string, ref = "main"): string => git(remote, "show", `${ref}:${path}`);
  return { root, remote, clone, remoteFile };
}
