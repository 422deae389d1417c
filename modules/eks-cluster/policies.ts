import { Construct } from "constructs";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { PolicyStatement } from "../core/policy";
import type { ServiceAccountRef } from "../core/pod-identity";

/**
 * Trust policy for an IRSA role: web identity from the cluster's OIDC provider, only for one
 * service account and only with the STS audience. A policy-document data source, because the
 * condition keys are built from the issuer at plan time.
 */
export function irsaTrustPolicy(scope: Construct, id: string, providerArn: string, issuerHost: string, sa: ServiceAccountRef): string {
  return new DataAwsIamPolicyDocument(scope, id, {
    statement: [{
      sid: "EksIrsa",
      effect: "Allow",
      principals: [{ type: "Federated", identifiers: [providerArn] }],
      actions: ["sts:AssumeRoleWithWebIdentity"],
      condition: [
        { test: "StringEquals", variable: `${issuerHost}:sub`, values: [`system:serviceaccount:${sa.namespace}:${sa.name}`] },
        { test: "StringEquals", variable: `${issuerHost}:aud`, values: ["sts.amazonaws.com"] },
      ],
    }],
  }).json;
}

/** Use of a KMS key for EBS volumes created by a service on the caller's behalf (EBS CSI). */
export function ebsKeyUseStatements(keyArn: string): PolicyStatement[] {
  return [
    {
      Sid: "UseVolumeKey",
      Effect: "Allow",
      Action: ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
      Resource: keyArn,
    },
    {
      Sid: "GrantVolumeKeyToEbs",
      Effect: "Allow",
      Action: ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"],
      Resource: keyArn,
      Condition: { Bool: { "kms:GrantIsForAWSResource": true } },
    },
  ];
}
