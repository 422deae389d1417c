import { Construct } from "constructs";
import { TerraformStack } from "cdktf";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { DataAwsRegion } from "@cdktf/provider-aws/lib/data-aws-region";

/** Account, partition and region of the stack's default AWS provider, as Terraform references. */
export interface AwsContext {
  readonly accountId: string;
  readonly partition: string;
  readonly region: string;
  /** `amazonaws.com` (or the partition's suffix), for service principals. */
  readonly dnsSuffix: string;
}

const CONTEXT_ID = "aws-context";

/**
 * One set of caller-identity / partition / region data sources per stack, shared by every
 * module in it (so ARNs are never hard-coded and the same data source is not read ten times).
 */
export function awsContext(scope: Construct): AwsContext {
  const stack = TerraformStack.of(scope);
  const existing = stack.node.tryFindChild(CONTEXT_ID) as AwsContextConstruct | undefined;
  return existing ?? new AwsContextConstruct(stack, CONTEXT_ID);
}

class AwsContextConstruct extends Construct implements AwsContext {
  public readonly accountId: string;
  public readonly partition: string;
  public readonly region: string;
  public readonly dnsSuffix: string;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.accountId = new DataAwsCallerIdentity(this, "caller").accountId;
    const partition = new DataAwsPartition(this, "partition");
    this.partition = partition.partition;
    this.dnsSuffix = partition.dnsSuffix;
    this.region = new DataAwsRegion(this, "region").region;
  }
}
