/**
 * A small IAM policy evaluator for attacker-style tests of the synthesized trust and permission
 * policies: the subset of AWS's evaluation logic our policies use, written from AWS's documented
 * semantics (not from our policy code), so a test asks "can this token / this request get
 * through?" instead of "does the JSON look like we wrote it?".
 *
 * - A statement applies when Action/NotAction, Resource/NotResource (and Principal, for trust
 *   policies) match and every condition holds. Explicit Deny beats Allow; no Allow is an
 *   implicit deny.
 * - Conditions: every operator and every key must hold (AND); several values for one key are
 *   alternatives (OR). A key missing from the request fails positive operators and satisfies
 *   negated ones (StringNotEquals, StringNotLike, ArnNotLike), as in AWS. `Null: true` means
 *   the key is absent.
 * - StringLike/ArnLike: `*` is any run of characters (including none, and `:` or `/`), `?` one
 *   character; case-sensitive. Action names match case-insensitively.
 */

export type Context = Readonly<Record<string, string | undefined>>;
export type Statement = Record<string, any>;
export type Decision = "allow" | "explicit-deny" | "implicit-deny";

const list = (v: unknown): string[] => (v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)]);

/** IAM wildcard match (`*`, `?`). */
export function like(pattern: string, value: string, ignoreCase = false): boolean {
  const re = "^" + pattern.split("").map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.+^${}()|[\]\\]/g, "\\$&"))).join("") + "$";
  return new RegExp(re, ignoreCase ? "is" : "s").test(value);
}

const OPERATORS: Record<string, (expected: string, actual: string) => boolean> = {
  StringEquals: (e, a) => e === a,
  StringLike: (e, a) => like(e, a),
  ArnEquals: (e, a) => e === a,
  ArnLike: (e, a) => like(e, a),
  Bool: (e, a) => e.toLowerCase() === a.toLowerCase(),
  // Multivalued keys (kms:ResourceAliases) given here as one value: any-match is equality on it.
  "ForAnyValue:StringEquals": (e, a) => e === a,
};
const NEGATED: Record<string, string> = { StringNotEquals: "StringEquals", StringNotLike: "StringLike", ArnNotEquals: "ArnEquals", ArnNotLike: "ArnLike" };

/** Whether a statement's Condition block holds for the request context. */
export function conditionsHold(condition: Record<string, Record<string, unknown>> | undefined, context: Context): boolean {
  for (const [operator, keys] of Object.entries(condition ?? {})) {
    for (const [key, expected] of Object.entries(keys)) {
      const actual = context[key];
      if (operator === "Null") {
        if ((list(expected)[0] === "true") !== (actual === undefined)) return false;
        continue;
      }
      const negated = NEGATED[operator];
      const test = OPERATORS[negated ?? operator];
      if (!test) throw new Error(`iam-eval: condition operator ${operator} is not modelled; add it before relying on the result`);
      if (negated) {
        if (actual !== undefined && list(expected).some((e) => test(e, actual))) return false;
      } else if (actual === undefined || !list(expected).some((e) => test(e, actual))) {
        return false;
      }
    }
  }
  return true;
}

function actionMatches(s: Statement, action: string): boolean {
  if (s.Action !== undefined) return list(s.Action).some((p) => like(p, action, true));
  return !list(s.NotAction).some((p) => like(p, action, true));
}

function resourceMatches(s: Statement, resource: string): boolean {
  if (s.Resource !== undefined) return list(s.Resource).some((p) => like(p, resource));
  if (s.NotResource !== undefined) return !list(s.NotResource).some((p) => like(p, resource));
  return true; // trust policies name no resource
}

/** A request: the action, the resource and the request context (condition keys). */
export interface Request {
  readonly action: string;
  readonly resource: string;
  readonly context?: Context;
}

/**
 * Identity-policy decision. `managedAllows` stands for the attached AWS managed policies (modelled
 * generously, see READ_ONLY_ACCESS, so the role's own denies must do the fencing).
 */
export function evaluate(statements: readonly Statement[], request: Request, managedAllows: (action: string, resource: string) => boolean = () => false): Decision {
  const context = request.context ?? {};
  const applies = statements.filter((s) => actionMatches(s, request.action) && resourceMatches(s, request.resource) && conditionsHold(s.Condition, context));
  if (applies.some((s) => s.Effect === "Deny")) return "explicit-deny";
  if (applies.some((s) => s.Effect === "Allow") || managedAllows(request.action, request.resource)) return "allow";
  return "implicit-deny";
}

/**
 * AWS `ReadOnlyAccess`, modelled as a superset: every read-like verb of every service on every
 * resource (the real policy grants s3:Get*, dynamodb:Scan, ssm:GetParameter, …). Reads the role
 * must not do have to be denied explicitly, and this model makes the tests prove it.
 */
export const READ_ONLY_ACCESS = (action: string): boolean =>
  /^[a-z0-9-]+:(Get|List|Describe|BatchGet|Query|Scan|Select|Lookup|Search|View|Head|Filter)/i.test(action);

/** An OIDC web-identity token as AWS STS sees it: the provider it came through and its claims. */
export interface WebIdentity {
  readonly providerArn: string;
  readonly claims: Readonly<Record<string, string>>;
}

/** Whether a trust policy lets this token call sts:AssumeRoleWithWebIdentity. */
export function canAssumeWithWebIdentity(trust: { Statement: Statement[] }, token: WebIdentity): boolean {
  const context: Record<string, string> = {};
  const host = new URL(token.claims.iss ?? "https://token.actions.githubusercontent.com").host;
  for (const [k, v] of Object.entries(token.claims)) context[`${host}:${k}`] = v;
  const principalMatches = (s: Statement) => list(s.Principal?.Federated).includes(token.providerArn);
  const applies = trust.Statement.filter((s) => actionMatches(s, "sts:AssumeRoleWithWebIdentity") && principalMatches(s) && conditionsHold(s.Condition, context));
  return !applies.some((s) => s.Effect === "Deny") && applies.some((s) => s.Effect === "Allow");
}

/**
 * Replaces Terraform references in a synthesized policy with concrete values, so ARNs can be
 * matched: partition → aws, account → 123456789012, a bucket's ARN → arn:aws:s3:::<its bucket>,
 * anything else's ARN → a stable fake ARN of its type and name.
 */
export function resolveTokens(text: string, json: { resource?: Record<string, Record<string, any>> }, account = "123456789012"): string {
  return text.replace(/\$\{([^}]+)\}/g, (_m, inner: string) => {
    const parts = inner.split(".");
    if (parts[0] === "data") return parts[1] === "aws_partition" ? "aws" : parts[1] === "aws_caller_identity" ? account : parts[1] === "aws_region" ? "us-east-1" : inner;
    const [type, name, attr] = parts as [string, string, string | undefined];
    const r = json.resource?.[type]?.[name];
    if (attr !== "arn") return inner;
    if (type === "aws_s3_bucket") return `arn:aws:s3:::${r?.bucket}`;
    if (type === "aws_iam_openid_connect_provider") return `arn:aws:iam::${account}:oidc-provider/token.actions.githubusercontent.com`;
    if (type === "aws_kms_key") return `arn:aws:kms:us-east-1:${account}:key/${name}`;
    if (type === "aws_ecr_repository") return `arn:aws:ecr:us-east-1:${account}:repository/${r?.name}`;
    return inner;
  });
}
