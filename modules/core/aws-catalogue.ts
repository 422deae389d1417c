/**
 * A pinned catalogue of what AWS offers, so a typo in a region, an AZ or an instance type fails
 * at synth instead of at `terraform apply` (or, for a mistyped AZ, in a cluster that cannot be
 * created). Like the lifecycle table (modules/core/lifecycle.ts) it is data reviewed by hand:
 * add a family or a region here (one line) when an environment needs it.
 *
 * Sources, read for the regions below on 2026-11 (`aws ec2 describe-instance-type-offerings
 * --location-type region`, `aws rds describe-orderable-db-instance-options`, the ElastiCache,
 * OpenSearch and DocumentDB "supported node/instance types" pages):
 * - EC2: docs.aws.amazon.com/ec2/latest/instancetypes/instance-types.html
 * - RDS for MySQL: docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Concepts.DBInstanceClass.Support.html
 * - ElastiCache: docs.aws.amazon.com/AmazonElastiCache/latest/dg/CacheNodes.SupportedTypes.html
 * - OpenSearch Service: docs.aws.amazon.com/opensearch-service/latest/developerguide/supported-instance-types.html
 * - DocumentDB: docs.aws.amazon.com/documentdb/latest/developerguide/db-instance-classes.html
 * - Amazon MQ for RabbitMQ: docs.aws.amazon.com/amazon-mq/latest/developer-guide/rabbitmq-broker-instance-types.html
 *   (4.2 on mq.m7g only; 3.13 also on mq.m5 and, single-instance, mq.t3.micro)
 * - VPC CNI max pods: github.com/aws/amazon-vpc-cni-k8s misc/eni-max-pods.txt
 *   (ENIs x (IPv4 addresses per ENI - 1) + 2, secondary-IP mode, no prefix delegation).
 * Every family listed is offered in every region of REGIONS (the table is kept to families
 * that are, so one list serves them all).
 */

/**
 * Commercial regions this library has been reviewed for, with the AZ letters AWS offers there
 * and those EKS refuses for control-plane subnets. EKS names AZ IDs (use1-az3, usw1-az2,
 * cac1-az3: EKS user guide, "Subnet requirements and considerations"); names map to IDs per
 * account, and the names below are the ones those IDs carry in the accounts this platform uses
 * (us-east-1e is use1-az3 there: EKS fails with UnsupportedAvailabilityZoneException). usw1-az2
 * and cac1-az3 are not listed by name: their names differ between accounts; add the letter
 * here once `aws ec2 describe-availability-zones` shows it for the account.
 */
export const REGIONS: Readonly<Record<string, { readonly azLetters: string; readonly eksUnsupported: string }>> = {
  "us-east-1": { azLetters: "abcdef", eksUnsupported: "e" },
  "us-east-2": { azLetters: "abc", eksUnsupported: "" },
  "us-west-1": { azLetters: "abc", eksUnsupported: "" },
  "us-west-2": { azLetters: "abcd", eksUnsupported: "" },
  "ca-central-1": { azLetters: "abd", eksUnsupported: "" },
  "eu-west-1": { azLetters: "abc", eksUnsupported: "" },
  "eu-west-2": { azLetters: "abc", eksUnsupported: "" },
  "eu-central-1": { azLetters: "abc", eksUnsupported: "" },
  "ap-southeast-1": { azLetters: "abc", eksUnsupported: "" },
  "ap-southeast-2": { azLetters: "abc", eksUnsupported: "" },
  "ap-northeast-1": { azLetters: "acd", eksUnsupported: "" },
};

export type Arch = "x86_64" | "arm64";

const NITRO = "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge metal";
const GRAVITON = "medium large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge metal";
const BURST = "nano micro small medium large xlarge 2xlarge";
/** 7th-generation Intel: no plain `metal`, two metal sizes instead. */
const SAPPHIRE = "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 48xlarge metal-24xl metal-48xl";

/** EC2 families EKS node groups may use: architecture and sizes. */
export const EC2_FAMILIES: Readonly<Record<string, { readonly arch: Arch; readonly sizes: string }>> = {
  t3: { arch: "x86_64", sizes: BURST }, t3a: { arch: "x86_64", sizes: BURST }, t4g: { arch: "arm64", sizes: BURST },
  m5: { arch: "x86_64", sizes: NITRO }, m5a: { arch: "x86_64", sizes: "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge" },
  m6i: { arch: "x86_64", sizes: `${NITRO} 32xlarge` }, m6a: { arch: "x86_64", sizes: `${NITRO} 32xlarge 48xlarge` },
  m7i: { arch: "x86_64", sizes: SAPPHIRE }, m7a: { arch: "x86_64", sizes: "medium large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge 48xlarge metal-48xl" },
  m6g: { arch: "arm64", sizes: GRAVITON }, m7g: { arch: "arm64", sizes: GRAVITON },
  c5: { arch: "x86_64", sizes: "large xlarge 2xlarge 4xlarge 9xlarge 12xlarge 18xlarge 24xlarge metal" },
  c5a: { arch: "x86_64", sizes: "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge" },
  c6i: { arch: "x86_64", sizes: `${NITRO} 32xlarge` }, c6a: { arch: "x86_64", sizes: `${NITRO} 32xlarge 48xlarge` },
  c7i: { arch: "x86_64", sizes: SAPPHIRE }, c6g: { arch: "arm64", sizes: GRAVITON }, c7g: { arch: "arm64", sizes: GRAVITON },
  r5: { arch: "x86_64", sizes: NITRO }, r5a: { arch: "x86_64", sizes: "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge" },
  r6i: { arch: "x86_64", sizes: `${NITRO} 32xlarge` }, r6a: { arch: "x86_64", sizes: `${NITRO} 32xlarge 48xlarge` },
  r7i: { arch: "x86_64", sizes: SAPPHIRE }, r6g: { arch: "arm64", sizes: GRAVITON }, r7g: { arch: "arm64", sizes: GRAVITON },
};

/**
 * VPC CNI max pods per size (eni-max-pods.txt): the same for every Nitro family above at a given
 * size; the burstable families differ below xlarge.
 */
const MAX_PODS_BY_SIZE: Readonly<Record<string, number>> = {
  medium: 8, large: 29, xlarge: 58, "2xlarge": 58, "4xlarge": 234, "8xlarge": 234, "9xlarge": 234, "12xlarge": 234,
  "16xlarge": 737, "18xlarge": 737, "24xlarge": 737, "32xlarge": 737, "48xlarge": 737, metal: 737, "metal-24xl": 737, "metal-48xl": 737,
};
const MAX_PODS_BURST: Readonly<Record<string, number>> = { nano: 4, micro: 4, small: 11, medium: 17, large: 35, xlarge: 58, "2xlarge": 58 };

/** Database/cache/search services and their catalogue of `<prefix><family>.<size><suffix>` types. */
export const SERVICE_CATALOGUE = {
  rds: {
    name: "RDS for MySQL", example: "db.r7g.large", prefix: "db.", suffix: "",
    families: {
      t3: "micro small medium large xlarge 2xlarge", t4g: "micro small medium large xlarge 2xlarge",
      m5: "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge", m6i: "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge",
      m6g: "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge", m7g: "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge",
      r5: "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge", r6i: "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge",
      r6g: "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge", r7g: "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge",
    },
  },
  elasticache: {
    name: "ElastiCache", example: "cache.r7g.large", prefix: "cache.", suffix: "",
    families: {
      t3: "micro small medium", t4g: "micro small medium",
      m5: "large xlarge 2xlarge 4xlarge 12xlarge 24xlarge", m6g: "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge",
      m7g: "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge",
      r5: "large xlarge 2xlarge 4xlarge 12xlarge 24xlarge", r6g: "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge",
      r7g: "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge",
    },
  },
  opensearch: {
    name: "OpenSearch Service", example: "r6g.large.search", prefix: "", suffix: ".search",
    families: {
      t3: "small medium", m5: "large xlarge 2xlarge 4xlarge 12xlarge", m6g: "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge",
      c5: "large xlarge 2xlarge 4xlarge 9xlarge 18xlarge", c6g: "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge",
      r5: "large xlarge 2xlarge 4xlarge 12xlarge", r6g: "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge",
      r6gd: "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge", i3: "large xlarge 2xlarge 4xlarge 8xlarge 16xlarge",
    },
  },
  documentdb: {
    name: "DocumentDB", example: "db.r6g.large", prefix: "db.", suffix: "",
    families: {
      t3: "medium", t4g: "medium", r5: "large xlarge 2xlarge 4xlarge 12xlarge 24xlarge",
      r6g: "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge",
    },
  },
  amazonMqRabbitmq: {
    name: "Amazon MQ for RabbitMQ", example: "mq.m7g.large", prefix: "mq.", suffix: "",
    families: {
      m7g: "medium large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge", m5: "large xlarge 2xlarge 4xlarge", t3: "micro",
    },
  },
} as const;
export type CatalogueService = keyof typeof SERVICE_CATALOGUE;

/** The family and size of an EC2 type such as `m5.2xlarge`, or undefined when the catalogue does not list it. */
export function ec2Type(type: string): { readonly family: string; readonly size: string; readonly arch: Arch } | undefined {
  const [family, size, extra] = type.split(".");
  const entry = family !== undefined && Object.hasOwn(EC2_FAMILIES, family) ? EC2_FAMILIES[family] : undefined;
  if (!entry || extra !== undefined || size === undefined || !entry.sizes.split(" ").includes(size)) return undefined;
  return { family: family!, size, arch: entry.arch };
}

/** VPC CNI max pods of a catalogued EC2 type (secondary-IP mode). */
export function maxPods(type: string): number {
  const t = ec2Type(type);
  if (!t) throw new Error(`maxPods: ${type} is not in the EC2 catalogue`);
  const burst = t.family.startsWith("t") ? MAX_PODS_BURST[t.size] : undefined;
  return burst ?? MAX_PODS_BY_SIZE[t.size]!;
}

/** Whether a database/cache/search service offers `type` (e.g. `db.r7g.large` for RDS). */
export function serviceOffers(service: CatalogueService, type: string): boolean {
  const s = SERVICE_CATALOGUE[service];
  if (!type.startsWith(s.prefix) || !type.endsWith(s.suffix)) return false;
  const [family, size, extra] = type.slice(s.prefix.length, type.length - s.suffix.length).split(".");
  const families = s.families as Readonly<Record<string, string>>;
  return family !== undefined && size !== undefined && extra === undefined && Object.hasOwn(families, family) && families[family]!.split(" ").includes(size);
}

/** The catalogue's families of a service, for messages (`db.r7g`, `db.t4g`, ...). */
export function serviceFamilies(service: CatalogueService): string {
  const s = SERVICE_CATALOGUE[service];
  return Object.keys(s.families).map((f) => `${s.prefix}${f}.*${s.suffix}`).join(", ");
}
