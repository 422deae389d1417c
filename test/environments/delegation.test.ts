import { App, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { Dns } from "../../modules/dns";
import { delegateZones, environments } from "../../environments";
import { appStacks, resources, synth } from "../helpers";

// Staging's zone sits under production's: without an NS record in production's zone its certificate
// validation waits on records nobody can resolve. Name servers are outputs of every created zone.
describe("DNS delegation between environments", () => {
  const app = appStacks();

  it("outputs the name servers of every Route53 zone an environment creates (not Cloudflare's)", () => {
    expect(app.production!.output!["dns-name-servers"].value).toMatch(/^\$\{aws_route53_zone\.dns_zone_\w+\.name_servers\}$/);
    expect(app.staging!.output!["dns-name-servers"].value).toMatch(/^\$\{aws_route53_zone\.dns_zone_\w+\.name_servers\}$/);
    expect(app.sandbox!.output?.["dns-name-servers"]).toBeUndefined();
  });

  it("delegates staging's zone from production's, reading staging's name servers by name", () => {
    const [record, ...more] = resources(app.production!, "aws_route53_record").filter((r) => r.type === "NS");
    expect(more).toEqual([]);
    expect(record).toMatchObject({ name: environments.staging.domain, type: "NS", ttl: 172800, records: "${data.aws_route53_zone.delegated-zone-staging.name_servers}" });
    expect(record!.zone_id).toMatch(/^\$\{aws_route53_zone\.dns_zone_\w+\.zone_id\}$/);
    expect(app.production!.data!.aws_route53_zone!["delegated-zone-staging"]).toMatchObject({ name: environments.staging.domain, private_zone: false });
    expect(resources(app.staging!, "aws_route53_record").filter((r) => r.type === "NS")).toEqual([]);
  });

  it("delegates from the closest parent only, and nothing between unrelated domains", () => {
    const a = new App();
    // The smallest stack delegation reads: a stack with its zone.
    const stack = (name: string, domain: string) => {
      const st = new TerraformStack(a, name);
      new AwsProvider(st, "aws", { region: "us-east-1" });
      return Object.assign(st, { dns: new Dns(st, "dns", { domain, zone: { provider: "route53" } }) });
    };
    const apex = stack("apex", "acme.edu");
    const learn = stack("learn", "learn.acme.edu");
    const qa = stack("qa", "qa.learn.acme.edu");
    const other = stack("other", "other-acme.edu");
    delegateZones([apex, learn, qa, other]);
    const ns = (s: TerraformStack) => resources(synth(s), "aws_route53_record").filter((r) => r.type === "NS").map((r) => r.name);
    expect([ns(apex), ns(learn), ns(qa), ns(other)]).toEqual([["learn.acme.edu"], ["qa.learn.acme.edu"], [], []]);
  });
});
