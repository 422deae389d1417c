import { canAssumeWithWebIdentity, conditionsHold, evaluate, like, resolveTokens } from "./iam-eval";

/** The evaluator the attacker tests rely on, held to AWS's documented semantics. */
describe("iam-eval", () => {
  it("StringLike: * is any run (including ':' and '/'), ? one character, case-sensitive", () => {
    expect(like("repo:a/b:ref:refs/pull/*/merge", "repo:a/b:ref:refs/pull/42/merge")).toBe(true);
    expect(like("a*c", "a:/x/c")).toBe(true);
    expect(like("a?c", "abc")).toBe(true);
    expect(like("a?c", "abbc")).toBe(false);
    expect(like("abc", "ABC")).toBe(false);
    expect(like("a.c", "abc")).toBe(false); // '.' is literal
  });

  it("conditions: AND across keys and operators, OR across values; a missing key fails positive and satisfies negated operators", () => {
    const c = { StringEquals: { k: ["x", "y"] }, StringLike: { l: "p*" } };
    expect(conditionsHold(c, { k: "y", l: "pq" })).toBe(true);
    expect(conditionsHold(c, { k: "z", l: "pq" })).toBe(false);
    expect(conditionsHold(c, { k: "x" })).toBe(false);
    expect(conditionsHold({ StringNotEquals: { v: ["a", "b"] } }, {})).toBe(true);
    expect(conditionsHold({ StringNotEquals: { v: ["a", "b"] } }, { v: "a" })).toBe(false);
    expect(conditionsHold({ Null: { t: "false" } }, { t: "1" })).toBe(true);
    expect(conditionsHold({ Null: { t: "true" } }, { t: "1" })).toBe(false);
    expect(() => conditionsHold({ NumericLessThan: { n: "1" } }, { n: "0" })).toThrow(/not modelled/);
  });

  it("explicit deny beats allow; no allow is an implicit deny; NotResource and NotAction invert", () => {
    const s = [
      { Effect: "Allow", Action: "s3:Get*", Resource: "*" },
      { Effect: "Deny", Action: "s3:GetObject", NotResource: "arn:aws:s3:::b/ok" },
      { Effect: "Deny", NotAction: ["s3:*"], Resource: "*" },
    ];
    expect(evaluate(s, { action: "s3:GetObject", resource: "arn:aws:s3:::b/ok" })).toBe("allow");
    expect(evaluate(s, { action: "s3:getobject", resource: "arn:aws:s3:::b/other" })).toBe("explicit-deny");
    expect(evaluate(s, { action: "s3:PutObject", resource: "arn:aws:s3:::b/ok" })).toBe("implicit-deny");
    expect(evaluate(s, { action: "ec2:DescribeVpcs", resource: "*" }, () => true)).toBe("explicit-deny");
  });

  it("web identity: the provider must be the statement's principal, and the claims meet the conditions", () => {
    const trust = { Statement: [{ Effect: "Allow", Principal: { Federated: "P" }, Action: "sts:AssumeRoleWithWebIdentity",
      Condition: { StringEquals: { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com", "token.actions.githubusercontent.com:sub": "s" } } }] };
    expect(canAssumeWithWebIdentity(trust, { providerArn: "P", claims: { aud: "sts.amazonaws.com", sub: "s" } })).toBe(true);
    expect(canAssumeWithWebIdentity(trust, { providerArn: "Q", claims: { aud: "sts.amazonaws.com", sub: "s" } })).toBe(false);
    expect(canAssumeWithWebIdentity(trust, { providerArn: "P", claims: { aud: "sts.amazonaws.com", sub: "s2" } })).toBe(false);
  });

  it("resolves Terraform references in ARNs", () => {
    const json = { resource: { aws_s3_bucket: { st: { bucket: "state" } }, aws_ecr_repository: { r: { name: "openedx/lms" } } } };
    expect(resolveTokens("arn:${data.aws_partition.p.partition}:iam::${data.aws_caller_identity.c.account_id}:x", json)).toBe("arn:aws:iam::123456789012:x");
    expect(resolveTokens("${aws_s3_bucket.st.arn}/k", json)).toBe("arn:aws:s3:::state/k");
    expect(resolveTokens("${aws_ecr_repository.r.arn}", json)).toBe("arn:aws:ecr:us-east-1:123456789012:repository/openedx/lms");
  });
});
