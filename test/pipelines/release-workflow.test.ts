import { execFileSync } from "child_process";
import { readFileSync } from "fs";
import { join } from "path";
import { parse } from "yaml";
import { ROOT } from "./run-action";

/**
 * release.yml: the GitOps token only reaches code pinned by SHA (and that pin runs exactly
 * this repository's image-bump), bumps of one file are serialized, and image-bump gets what
 * it needs to order releases (a full-history source checkout).
 */
const text = readFileSync(join(ROOT, ".github", "workflows", "release.yml"), "utf8");
const rel = parse(text);
const BUMP_JOBS = { "bump-staging": "staging-file", "bump-production": "production-file" } as const;
const IMAGE_BUMP = /^openedx-platform\/learning-platform-infra\/pipelines\/image-bump@([0-9a-f]{40})$/;

describe("release workflow", () => {
  it.each(Object.entries(BUMP_JOBS))("%s: one bump of its target file at a time, never cancelling one in progress", (job, fileInput) => {
    expect(rel.jobs[job].concurrency).toEqual({
      group: `gitops-\${{ inputs.gitops-repository }}-\${{ inputs.${fileInput} }}`,
      "cancel-in-progress": false,
    });
  });

  it.each(Object.keys(BUMP_JOBS))("%s: runs image-bump by SHA-pinned uses:, never a checkout of a moving ref with the token around", (job) => {
    const steps: any[] = rel.jobs[job].steps;
    const bump = steps.filter((s) => IMAGE_BUMP.test(s.uses ?? ""));
    expect(bump).toHaveLength(1);
    expect(text).toMatch(new RegExp(`uses: ${bump[0].uses.replace(/[/.]/g, "\\$&")} # v\\d+\\.\\d+\\.\\d+$`, "m"));
    // No code of this repository checked out at a branch, no node running a checkout's bundle.
    for (const s of steps) {
      expect(s.run ?? "").not.toMatch(/\bnode\b/);
      if (String(s.uses).startsWith("actions/checkout@")) {
        expect(s.with.ref).toBeUndefined();
        expect(s.with.repository ?? "${{ github.repository }}").not.toMatch(/pipelines|learning-platform-infra/);
      }
    }
    // The token goes only to SHA-pinned actions: the GitOps checkout and image-bump.
    for (const s of steps.filter((x) => JSON.stringify(x).includes("secrets.gitops-token"))) {
      expect(s.uses).toMatch(/@[0-9a-f]{40}$/);
      expect(s.env).toBeUndefined();
    }
    // Ordering by ancestry needs the source repository's full history.
    const source = steps.find((s) => String(s.uses).startsWith("actions/checkout@") && s.with.path === bump[0].with["source-path"]);
    expect(source?.with).toMatchObject({ "fetch-depth": 0, "persist-credentials": false });
    expect(source.with.repository).toBeUndefined(); // the calling service repository
    expect(bump[0].with.value).toBe("${{ needs.image.outputs.tag }}");
    expect(bump[0].with.order).toBeUndefined(); // the default: never backwards
  });

  it("promotes production through image-bump's own pull request (created or updated), not a one-shot gh pr create", () => {
    const steps: any[] = rel.jobs["bump-production"].steps;
    const bump = steps.find((s) => IMAGE_BUMP.test(s.uses ?? ""));
    expect(bump.with["pull-request"]).toBe("${{ inputs.production-via == 'pull-request' }}");
    expect(bump.with.repository).toBe("${{ inputs.gitops-repository }}");
    expect(text).not.toContain("gh pr create");
    expect(rel.on.workflow_call.inputs["pipelines-ref"]).toBeUndefined();
  });

  it("pins image-bump to a commit of this repository whose action is this tree's", () => {
    const pins = new Set(Object.keys(BUMP_JOBS).flatMap((job) => rel.jobs[job].steps.map((s: any) => IMAGE_BUMP.exec(s.uses ?? "")?.[1]).filter(Boolean)));
    expect(pins.size).toBe(1);
    const [pin] = [...pins] as string[];
    const inHistory = (() => {
      try {
        execFileSync("git", ["cat-file", "-e", `${pin}^{commit}`], { cwd: ROOT, stdio: "ignore" });
        return true;
      } catch {
        return false;
      }
    })();
    expect([pin, inHistory ? "in this repository's history" : "missing (a shallow clone, or the pinned commit was rebased away)"])
      .toEqual([pin, "in this repository's history"]);
    // Same files as the working tree: change image-bump in one commit, then move the pin to it.
    const diff = execFileSync("git", ["diff", "--stat", pin!, "--", "pipelines/image-bump"], { cwd: ROOT, encoding: "utf8" });
    expect(diff).toBe("");
  });
});
