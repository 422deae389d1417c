import { execFileSync } from "child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { parsePlan } from "../../pipelines/lib/plan";
import { canonicalJson, digestMarker, filesDigest, parseApprovedDigests, parseDigestMarker, planDigest } from "../../pipelines/lib/plan-digest";
import { checkTip } from "../../pipelines/lib/tip";
import { VALID } from "./plan-fixtures";
import { PLANS } from "./run-action";

const load = (f: string): any => JSON.parse(readFileSync(join(PLANS, f), "utf8"));
const digestOf = (doc: unknown) => planDigest(parsePlan(JSON.stringify(doc)));

/** The same value with every object's keys in reverse order (what another Terraform run may write). */
function reverseKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(reverseKeys);
  if (v && typeof v === "object") return Object.fromEntries(Object.keys(v).reverse().map((k) => [k, reverseKeys((v as any)[k])]));
  return v;
}

describe("plan digest", () => {
  it.each(VALID)("%s: same plan, reordered keys and changes, new timestamp/version/prior state → same digest", (f) => {
    const plan = load(f);
    const again = reverseKeys(plan) as any;
    again.resource_changes = [...(again.resource_changes ?? [])].reverse();
    again.timestamp = "2026-12-02T13:00:00Z";
    again.terraform_version = "1.13.5";
    again.prior_state = { format_version: "1.0", values: { root_module: {} } };
    again.resource_drift = [];
    const d = digestOf(plan);
    expect(d.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(digestOf(again).digest).toBe(d.digest);
  });

  it("changes when one attribute of an update changes", () => {
    const plan = load("aws-update-inplace-tf0.15.json");
    const rc = plan.resource_changes.find((r: any) => r.change.actions[0] === "update");
    const before = digestOf(plan).digest;
    rc.change.after.artifacts[0].encryption_disabled = false; // the very attribute the update changes, back to its old value
    expect(digestOf(plan).digest).not.toBe(before);
    rc.change.after.description = "another description";
    const third = digestOf(plan).digest;
    expect(third).not.toBe(before);
  });

  it("changes when one attribute of a create changes, an action changes, or a resource is added", () => {
    const plan = load("aws-nested-modules-tf0.14.json");
    const base = digestOf(plan).digest;
    const create = plan.resource_changes.find((r: any) => r.change.actions.join() === "create" && r.change.after?.ami);
    const one = structuredClone(plan);
    one.resource_changes.find((r: any) => r.address === create.address).change.after.ami = "ami-00000000000000000";
    expect(digestOf(one).digest).not.toBe(base);
    const del = structuredClone(plan);
    del.resource_changes.find((r: any) => r.address === create.address).change.actions = ["delete"];
    expect(digestOf(del).digest).not.toBe(base);
    const more = structuredClone(plan);
    more.resource_changes.push({ ...structuredClone(create), address: "aws_instance.extra" });
    expect(digestOf(more).digest).not.toBe(base);
  });

  it("tells the two replace orders apart (create_before_destroy or not)", () => {
    const plan = load("extra/replace-delete-create-replace_paths-local-tf1.13.json");
    const base = digestOf(plan).digest;
    for (const rc of plan.resource_changes) if (rc.change.actions.join() === "delete,create") rc.change.actions = ["create", "delete"];
    expect(digestOf(plan).digest).not.toBe(base);
  });

  it("ignores refreshed values of unchanged attributes of an update, and no-ops and reads", () => {
    const plan = load("aws-update-inplace-tf0.15.json");
    const base = digestOf(plan).digest;
    const rc = plan.resource_changes.find((r: any) => r.change.actions[0] === "update");
    // An attribute that changes in neither before nor after (both sides refreshed alike).
    rc.change.before.badge_enabled = !rc.change.before.badge_enabled;
    rc.change.after.badge_enabled = rc.change.before.badge_enabled;
    const noop = plan.resource_changes.find((r: any) => r.change.actions[0] === "no-op");
    noop.change.before.name = "renamed-outside";
    noop.change.after.name = "renamed-outside";
    plan.resource_changes.push({ address: "data.aws_caller_identity.me", mode: "data", type: "aws_caller_identity", name: "me", change: { actions: ["read"], before: null, after: { id: "1" } } });
    expect(digestOf(plan).digest).toBe(base);
  });

  it("never puts a sensitive value in the canonical text, yet a rotated secret changes the digest", () => {
    const plan = load("sensitive-values-opentofu.json");
    const d = digestOf(plan);
    const ami = plan.resource_changes[0].change.after.ami;
    expect(typeof ami).toBe("string");
    expect(d.canonical).not.toContain(ami);
    expect(d.canonical).toContain("(sensitive)");
    // In an update, a sensitive attribute that changes shows as "(sensitive, changed)" and moves the digest.
    const upd = load("aws-update-inplace-tf0.15.json");
    const rc = upd.resource_changes.find((r: any) => r.change.actions[0] === "update");
    rc.change.before.encryption_key = "old-secret-value";
    rc.change.after.encryption_key = "new-secret-value";
    rc.change.before_sensitive = { ...rc.change.before_sensitive, encryption_key: true };
    rc.change.after_sensitive = { ...rc.change.after_sensitive, encryption_key: true };
    const rotated = digestOf(upd);
    expect(rotated.canonical).toContain("(sensitive, changed)");
    expect(rotated.canonical).not.toMatch(/old-secret-value|new-secret-value/);
    rc.change.after.encryption_key = "another-secret";
    const again = digestOf(upd);
    // Two different new secrets look alike (nothing about them leaks) ...
    expect(again.digest).toBe(rotated.digest);
    // ... but rotating at all is a different plan from not rotating.
    rc.change.after.encryption_key = "old-secret-value";
    expect(digestOf(upd).digest).not.toBe(rotated.digest);
  });

  it("shows unknown values as known after apply, so a later known value is a different plan", () => {
    const plan = load("aws-create-55-tf0.12.json");
    const d = digestOf(plan);
    expect(d.canonical).toContain("(known after apply)");
    const rc = plan.resource_changes.find((r: any) => r.change.after_unknown?.id === true);
    rc.change.after_unknown.id = false;
    rc.change.after.id = "i-0123";
    expect(digestOf(plan).digest).not.toBe(d.digest);
  });

  it("counts changes and lists deletes (alone or in a replace)", () => {
    expect(digestOf(load("aws-delete-all-tf0.15.json")).deletes).toHaveLength(8);
    const all = digestOf(load("aws-all-actions-replace-both-orders-tf0.13.json"));
    expect([...all.deletes].sort()).toEqual(["aws_iam_user_group_membership.some_delete_create_resource", "aws_instance.some_create_delete_resource", "aws_security_group.some_deleted_resource"]);
    expect(all.changes).toBe(5);
    expect(digestOf(load("aws-noop-all-tf0.15.json"))).toMatchObject({ changes: 0, deletes: [] });
  });

  it("canonical JSON sorts keys at every level and keeps array order", () => {
    expect(canonicalJson({ b: [2, 1], a: { d: 1, c: null } })).toBe('{"a":{"c":null,"d":1},"b":[2,1]}');
  });
});

describe("digest marker in the PR comment", () => {
  const head = "a".repeat(40);
  const digest = `sha256:${"b".repeat(64)}`;

  it("round-trips per stack and ignores other stacks", () => {
    const body = `${digestMarker("sandbox", digest, head)}\n${digestMarker("staging", `sha256:${"c".repeat(64)}`, head)}\n## plan`;
    expect(parseDigestMarker(body, "sandbox")).toEqual({ stack: "sandbox", head, digest });
    expect(parseDigestMarker(body, "staging")?.digest).toBe(`sha256:${"c".repeat(64)}`);
    expect(parseDigestMarker(body, "sandbox-platform")).toBeUndefined();
    expect(parseDigestMarker(body.replace(/v1/g, "v0"), "sandbox")).toBeUndefined();
  });

  it("refuses a bad stack, digest or head", () => {
    expect(() => digestMarker("bad stack", digest, head)).toThrow(/stack "bad stack" is invalid/);
    expect(() => digestMarker("sandbox", "sha256:xyz", head)).toThrow(/digest = "sha256:xyz" is not a plan digest/);
    expect(() => digestMarker("sandbox", digest, "abc")).toThrow(/head SHA "abc" is not a full commit SHA/);
  });

  it("parses approved digests of a manual run and names a bad line", () => {
    expect(parseApprovedDigests(`sandbox=${digest}\n staging=${digest} ,`)).toEqual(new Map([["sandbox", digest], ["staging", digest]]));
    expect(() => parseApprovedDigests("sandbox")).toThrow(/approved-digests line "sandbox" is invalid; expected <stack>=sha256:<64 hex>/);
    expect(() => parseApprovedDigests("sandbox=sha256:1")).toThrow(/approved-digests for sandbox = "sha256:1" is not a plan digest/);
  });
});

describe("inputs digest (cdk.tf.json and .terraform.lock.hcl)", () => {
  it("changes with either file, not with their order, and names a missing file", () => {
    const dir = mkdtempSync(join(tmpdir(), "inputs-"));
    const tf = join(dir, "cdk.tf.json");
    const lock = join(dir, ".terraform.lock.hcl");
    writeFileSync(tf, '{"resource":{}}');
    writeFileSync(lock, 'provider "registry.terraform.io/hashicorp/aws" { version = "6.0.0" }');
    const base = filesDigest([tf, lock]);
    expect(filesDigest([lock, tf])).toBe(base);
    writeFileSync(lock, 'provider "registry.terraform.io/hashicorp/aws" { version = "6.0.1" }');
    expect(filesDigest([tf, lock])).not.toBe(base);
    expect(() => filesDigest([join(dir, "missing.hcl")])).toThrow(/cannot read ".*missing.hcl" for the plan-inputs digest: ENOENT/);
  });
});

describe("tip of main (bare repository on disk)", () => {
  const g = (dir: string, ...args: string[]) => execFileSync("git", ["-C", dir, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@example.invalid", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@example.invalid" } }).trim();
  let origin: string, work: string, clone: string, first: string, second: string, side: string;

  beforeAll(() => {
    const root = mkdtempSync(join(tmpdir(), "tip-"));
    origin = join(root, "origin.git");
    work = join(root, "work");
    clone = join(root, "clone");
    execFileSync("git", ["init", "--quiet", "--bare", "--initial-branch=main", origin]);
    execFileSync("git", ["clone", "--quiet", origin, work], { stdio: "ignore" }); // empty: warns
    g(work, "commit", "--quiet", "--allow-empty", "-m", "one");
    first = g(work, "rev-parse", "HEAD");
    g(work, "push", "--quiet", "origin", "HEAD:main");
    // The run's checkout: shallow, at the first commit, as actions/checkout makes it.
    execFileSync("git", ["clone", "--quiet", "--depth=1", `file://${origin}`, clone]);
    g(work, "commit", "--quiet", "--allow-empty", "-m", "two");
    second = g(work, "rev-parse", "HEAD");
    g(work, "checkout", "--quiet", "-b", "side", first);
    g(work, "commit", "--quiet", "--allow-empty", "-m", "side");
    side = g(work, "rev-parse", "HEAD");
    g(work, "push", "--quiet", "origin", "side");
  });

  it("accepts the tip", async () => {
    expect(await checkTip(clone, first, "main")).toEqual({ ok: true, tip: first, relation: "tip", message: "" });
  });

  it("refuses a commit main has moved past, saying the newer run applies it", async () => {
    g(work, "push", "--quiet", "origin", `${second}:refs/heads/main`);
    const r = await checkTip(clone, first, "main");
    expect(r).toMatchObject({ ok: false, tip: second, relation: "behind" });
    expect(r.message).toContain(`Refusing to apply: this run's commit ${first} is not the tip of main.`);
    expect(r.message).toContain("roll the environment back");
  });

  it("refuses a commit that is not on main at all", async () => {
    const r = await checkTip(clone, side, "main");
    expect(r).toMatchObject({ ok: false, tip: second, relation: "elsewhere" });
    expect(r.message).toContain(`${side} is not an ancestor of main's tip ${second}`);
  });

  it("refuses when the branch does not exist, and bad arguments", async () => {
    expect((await checkTip(clone, first, "nope")).message).toContain("branch nope does not exist on origin");
    await expect(checkTip(clone, "HEAD", "main")).rejects.toThrow(/"HEAD" is not a full commit SHA/);
    await expect(checkTip(clone, first, "../x")).rejects.toThrow(/tip-of-branch "..\/x" is not a branch name/);
  });
});
