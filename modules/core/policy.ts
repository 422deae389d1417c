import { Lazy } from "cdktf";

/** One IAM policy statement, in the JSON shape AWS reads. */
export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: "Allow" | "Deny";
  readonly Principal?: "*" | Record<string, string | string[]>;
  readonly NotPrincipal?: Record<string, string | string[]>;
  readonly Action?: string | string[];
  readonly NotAction?: string | string[];
  readonly Resource?: string | string[];
  readonly NotResource?: string | string[];
  readonly Condition?: Record<string, Record<string, string | string[] | boolean>>;
}

/**
 * A policy document that other constructs may add statements to until synth, like
 * aws-cdk-lib's `addToResourcePolicy`: the edge module adds CloudFront's read grant to the
 * static bucket's policy without the bucket module knowing about CloudFront.
 */
export class PolicyDocument {
  private readonly statements: PolicyStatement[];

  constructor(statements: PolicyStatement[] = []) {
    this.statements = [...statements];
  }

  public addStatements(...statements: PolicyStatement[]): void {
    for (const s of statements) {
      if (s.Sid && this.statements.some((e) => e.Sid === s.Sid)) {
        throw new Error(`PolicyDocument: duplicate statement Sid "${s.Sid}"`);
      }
      this.statements.push(s);
    }
  }

  /** The statements added so far (a copy). */
  public get statementList(): readonly PolicyStatement[] {
    return [...this.statements];
  }

  /** A token that renders the document as JSON at synth, after every statement was added. */
  public toJson(): string {
    return Lazy.stringValue({ produce: () => policyJson(this.statements) });
  }
}

/** An IAM policy document as the JSON string AWS resources take. */
export function policyJson(statements: readonly PolicyStatement[]): string {
  return JSON.stringify({ Version: "2012-10-17", Statement: statements });
}

/** Trust policy letting AWS service principal(s) assume a role, with optional conditions. */
export function serviceTrustPolicy(service: string | string[], condition?: PolicyStatement["Condition"]): string {
  return policyJson([{ Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole", ...(condition ? { Condition: condition } : {}) }]);
}
