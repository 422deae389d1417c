import { check } from "./validation";

/**
 * AWS name length limits, by what is being named. One table so a limit is written once and
 * every module checks its names against it at synth.
 */
export const NAME_LIMITS = {
  s3Bucket: 63,
  iamRole: 64,
  iamPolicy: 128,
  kmsAlias: 250,
  logGroup: 512,
  securityGroup: 255,
  eksCluster: 100,
  eksNodeGroup: 63,
  rdsIdentifier: 63,
  elasticacheReplicationGroup: 40,
  elasticacheUser: 40,
  opensearchDomain: 28,
  docdbCluster: 63,
  snsTopic: 256,
  ecrRepository: 256,
  wafWebAcl: 128,
  launchTemplate: 128,
  secret: 512,
  loadBalancer: 32,
  codebuildProject: 150,
  cloudfrontOriginAccessControl: 64,
  generic: 255,
} as const;

export type NameKind = keyof typeof NAME_LIMITS;

const PART_RE = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

/**
 * Derives every physical name as `<project>-<environment>-<component>` and checks it against
 * the AWS limit for its kind. Lower-case and hyphens only, because the strictest consumers
 * (S3, OpenSearch, ElastiCache) allow nothing else.
 */
export class Naming {
  /** `<project>-<environment>`. */
  public readonly prefix: string;

  constructor(public readonly project: string, public readonly environment: string) {
    check(PART_RE.test(project), "Naming", "project", project, "must be lower-case letters, digits and hyphens, not starting or ending with a hyphen");
    check(PART_RE.test(environment), "Naming", "environment", environment, "must be lower-case letters, digits and hyphens, not starting or ending with a hyphen");
    this.prefix = `${project}-${environment}`;
  }

  /**
   * `<prefix>-<component>`, checked against `kind`'s limit. `reserve` counts characters that
   * will be appended later (e.g. 13 for `-<account id>`), so the final name still fits.
   */
  public name(component: string, kind: NameKind = "generic", reserve = 0): string {
    check(PART_RE.test(component), "Naming", "component", component, "must be lower-case letters, digits and hyphens, not starting or ending with a hyphen");
    const name = `${this.prefix}-${component}`;
    const limit = NAME_LIMITS[kind];
    check(name.length + reserve <= limit, "Naming", `${kind} name`, name,
      `must be at most ${limit} characters${reserve ? ` including a ${reserve}-character suffix` : ""} (got ${name.length + reserve}); shorten the project, environment or component`);
    return name;
  }
}
