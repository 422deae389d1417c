import { TerraformStack } from "cdktf";
import { AlarmTopic } from "../../modules/alerting";
import { DataStoreProps } from "../../modules/core/data-store";
import { NetworkRef } from "../../modules/core/types";
import { Naming } from "../../modules/core/naming";
import { testStack } from "../helpers";

/** A three-AZ network as the vpc module would hand it over. */
export const network: NetworkRef = {
  vpcId: "vpc-0123",
  vpcCidr: "10.0.0.0/16",
  azs: ["us-east-1a", "us-east-1b", "us-east-1c"],
  publicSubnetIds: ["subnet-pub-a", "subnet-pub-b", "subnet-pub-c"],
  privateSubnetIds: ["subnet-prv-a", "subnet-prv-b", "subnet-prv-c"],
  databaseSubnetIds: ["subnet-db-a", "subnet-db-b", "subnet-db-c"],
};

/** A test stack with an alarm topic and the common props every data store takes. */
export function dataStack(name = "production"): { stack: TerraformStack; naming: Naming; alarms: AlarmTopic; common: DataStoreProps } {
  const { stack, naming } = testStack(name);
  const alarms = new AlarmTopic(stack, "alarms", { naming });
  return { stack, naming, alarms, common: { naming, network, allowFrom: [{ securityGroupId: "sg-nodes", description: "EKS nodes" }], alarms } };
}
