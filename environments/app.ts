import { App } from "cdktf";
import { EnvironmentConfig, StateConfig } from "./config";
import { PlatformStack } from "./platform-stack";
import { EnvironmentStack } from "./stack";

export interface EnvironmentStacks {
  readonly aws: EnvironmentStack;
  readonly platform: PlatformStack;
}

/**
 * Both stacks of one environment: `<env>` (AWS) and `<env>-platform` (Kubernetes/Helm),
 * the platform stack receiving the AWS stack's identifiers as cross-stack references and
 * ordered after it, so `cdktf deploy` applies the AWS side first.
 */
export function addEnvironment(app: App, config: EnvironmentConfig, state?: StateConfig): EnvironmentStacks {
  const aws = new EnvironmentStack(app, config, { state });
  const prereqs = aws.platformPrereqs;
  const platform = new PlatformStack(app, config, {
    state,
    kubeconfig: config.platform.kubeconfig,
    eks: prereqs && {
      clusterName: aws.cluster.clusterName,
      region: config.region,
      vpcId: aws.network.vpcId,
      lokiBucketName: prereqs.lokiBucketName,
      veleroBucketName: prereqs.veleroBucketName,
      backupKmsKeyArn: prereqs.kmsKeyArn,
      efsFileSystemId: aws.mediaStorage.fileSystemId,
      dnsZoneId: aws.dns.zoneId,
      alarmTopicArn: aws.data.alarms.topicArn,
      volumeKmsKeyArn: aws.cluster.volumeKeyArn,
      originTargetGroupArns: aws.origin?.loadBalancer.targetGroupArns,
      dataStores: {
        mysql: { host: aws.data.mysql.address, port: aws.data.mysql.endpointRef.port, secretArn: aws.data.mysql.masterUserSecretArn },
        redis: { host: aws.data.redis.endpoint, port: aws.data.redis.endpointRef.port, iamUserId: aws.data.redis.appUserId, cacheName: aws.data.redis.replicationGroupId },
        search: { host: aws.data.search.endpoint, port: aws.data.search.endpointRef.port },
        documentdb: { host: aws.data.documentdb.endpoint, port: aws.data.documentdb.endpointRef.port, secretArn: aws.data.documentdb.masterUserSecretArn },
      },
    },
  });
  platform.addDependency(aws);
  return { aws, platform };
}
