import { spawnSync } from "child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const render = require("../../scripts/render.js");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const tools = require("../../scripts/tools.js");

const ROOT = join(__dirname, "..", "..");
const FIXTURE_CHARTS = join(ROOT, "test", "fixtures", "render", "charts");

/** Two stacks the way cdktf writes them: an environment stack with outputs, a platform stack reading them. */
function docs(platformReleases: Record<string, any>, extra: Record<string, any> = {}) {
  return {
    production: {
      provider: { aws: [{ region: "eu-west-1" }] },
      resource: {
        aws_eks_cluster: { cluster_A1: { name: "openedx-eks", version: "1.33" } },
        aws_iam_role: { velero_B2: { name: "openedx-production-velero" } },
        aws_vpc: { network_C3: { cidr_block: "10.0.0.0/16" } },
      },
      output: {
        "cross-stack-output-aws_eks_clustercluster_A1name": { value: "${aws_eks_cluster.cluster_A1.name}" },
        "cross-stack-output-aws_iam_rolevelero_B2arn": { value: "${aws_iam_role.velero_B2.arn}" },
        "cross-stack-output-aws_vpcnetwork_C3id": { value: "${aws_vpc.network_C3.id}" },
      },
    },
    "production-platform": {
      provider: { aws: [{ region: "eu-west-1" }] },
      data: { aws_eks_cluster: { cluster: { name: "${data.terraform_remote_state.in.outputs.cross-stack-output-aws_eks_clustercluster_A1name}" } } },
      resource: {
        kubernetes_namespace_v1: { ns_D4: { metadata: { name: "observability" } } },
        helm_release: platformReleases,
        ...extra,
      },
    },
  };
}
const remote = (output: string) => `\${data.terraform_remote_state.cross-stack-reference-input-production.outputs.${output}}`;

describe("Terraform interpolations in values", () => {
  const ctx = render.makeContext(docs({}));
  const sub = (s: string) => render.substituteInterpolations(s, "production-platform", ctx);

  test("splits text and expressions, braces balanced, $${ is a literal", () => {
    expect(render.splitInterpolations("a ${x.y} b ${f({k = \"}\"})} $${keep}")).toEqual([
      { text: "a " }, { expr: "x.y" }, { text: " b " }, { expr: "f({k = \"}\"})" }, { text: " ${keep}" },
    ]);
    expect(render.splitInterpolations("no interpolation")).toEqual([{ text: "no interpolation" }]);
  });

  test("a reference to a literal in the JSON resolves to it", () => {
    expect(sub("${kubernetes_namespace_v1.ns_D4.metadata[0].name}")).toBe("observability");
    // across stacks: the output's value in the producing stack, then that resource's literal
    expect(sub(remote("cross-stack-output-aws_eks_clustercluster_A1name"))).toBe("openedx-eks");
    // a data source whose argument is itself an interpolation
    expect(sub("${data.aws_eks_cluster.cluster.name}")).toBe("openedx-eks");
  });

  test("computed attributes become placeholders of the same shape, always strings", () => {
    expect(sub(remote("cross-stack-output-aws_iam_rolevelero_B2arn"))).toBe("arn:aws:iam::123456789012:role/openedx-production-velero");
    expect(sub(remote("cross-stack-output-aws_vpcnetwork_C3id"))).toBe("vpc-0123456789abcdef0");
    expect(sub("${data.aws_eks_cluster.cluster.endpoint}")).toMatch(/^https:\/\/[0-9A-F]+\.gr7\.eu-west-1\.eks\.amazonaws\.com$/);
    expect(sub("${aws_ecr_repository.r.repository_url}:1")).toBe("123456789012.dkr.ecr.eu-west-1.amazonaws.com/render-placeholder:1");
    expect(sub("${aws_kms_key.k.arn}")).toBe("arn:aws:kms:eu-west-1:123456789012:key/00000000-0000-4000-8000-000000000000");
    expect(sub("${aws_sns_topic.t.arn}")).toMatch(/^arn:aws:sns:eu-west-1:123456789012:/);
    expect(sub("${aws_route53_zone.z.zone_id}")).toMatch(/^Z[0-9A-Z]+$/);
    expect(sub("${base64decode(data.aws_eks_cluster.cluster.certificate_authority[0].data)}")).toBe("render-placeholder");
    expect(sub("${var.anything}")).toBe("render-placeholder");
    expect(render.placeholderFor("aws_s3_bucket", "arn", { name: "b" })).toBe("arn:aws:s3:::b");
  });
});

describe("helm_release extraction", () => {
  const releases = {
    obs_loki_E5: {
      "//": { metadata: { path: "production-platform/observability/loki" } },
      name: "loki", chart: "loki", version: "6.39.0", repository: "https://grafana.github.io/helm-charts",
      namespace: "${kubernetes_namespace_v1.ns_D4.metadata[0].name}",
      values: [JSON.stringify({ serviceAccount: { annotations: { role: remote("cross-stack-output-aws_iam_rolevelero_B2arn") } } }), "{\"b\":1}"],
      set: [{ name: "a.b", value: "x" }, { name: "s", value: "007", type: "string" }],
      set_sensitive: [{ name: "secret.key", value: "${var.key}" }],
      set_list: [{ name: "l", value: ["p", "q"] }],
    },
    crds_F6: { name: "crds", chart: "raw", version: 2, repository: "oci://registry.example.org/charts", skip_crds: true },
  };
  const ctx = render.makeContext(docs(releases));
  const [loki, raw] = render.releasesOf("production-platform", ctx);

  test("values keep their order with interpolations substituted; namespace resolved", () => {
    expect(loki).toMatchObject({ stack: "production-platform", id: "obs_loki_E5", name: "loki", chart: "loki", version: "6.39.0", namespace: "observability", includeCrds: true });
    expect(JSON.parse(loki.values[0]).serviceAccount.annotations.role).toBe("arn:aws:iam::123456789012:role/openedx-production-velero");
    expect(loki.values[1]).toBe("{\"b\":1}");
  });

  test("set, set_sensitive and set_list become helm flags", () => {
    expect(loki.sets).toEqual(["--set", "a.b=x", "--set-string", "s=007", "--set", "secret.key=render-placeholder", "--set", "l={p,q}"]);
  });

  test("skip_crds, a numeric version and a missing namespace", () => {
    expect(raw).toMatchObject({ name: "crds", version: "2", namespace: "default", includeCrds: false, values: [], sets: [] });
  });

  test("the Kubernetes version is the cluster's of the stack the platform reads from", () => {
    const withRef = render.makeContext(docs({ r: { name: "r", chart: "c", version: "1", values: [remote("cross-stack-output-aws_eks_clustercluster_A1name")] } }));
    expect(render.kubeVersionOf("production-platform", withRef)).toBe("1.33");
    expect(render.kubeVersionOf("production", withRef)).toBe("1.33");
    expect(render.kubeVersionOf("nowhere", withRef)).toBeUndefined();
  });

  test("helm template arguments", () => {
    const args = render.helmArgs(loki, { ref: "/c/loki-6.39.0", args: [] }, { kubeVersion: "1.33", apiVersions: ["a.io/v1", "a.io/v1/K"], valuesFiles: ["v0.yaml", "v1.yaml"] });
    expect(args).toEqual(["template", "loki", "/c/loki-6.39.0", "--namespace", "observability", "--kube-version", "1.33", "--include-crds",
      "--api-versions", "a.io/v1,a.io/v1/K", "-f", "v0.yaml", "-f", "v1.yaml", ...loki.sets]);
    expect(render.helmArgs(raw, { ref: "x", args: [] }, { valuesFiles: [] })).not.toContain("--include-crds");
  });
});

describe("chart sources", () => {
  const dir = mkdtempSync(join(tmpdir(), "render-charts-"));
  const chart = (sub: string, name: string, version: string) => {
    mkdirSync(join(dir, sub), { recursive: true });
    writeFileSync(join(dir, sub, "Chart.yaml"), `apiVersion: v2\nname: ${name}\nversion: ${version}\n`);
  };
  chart("ingress-nginx-4.13.5", "ingress-nginx", "4.13.5");
  chart("cert-manager-v1.18.2", "cert-manager", "v1.18.2");
  chart("velero", "velero", "10.0.10");
  chart("loki-6.39.0", "loki", "6.38.0");
  writeFileSync(join(dir, "raw-2.0.0.tgz"), "");
  const src = (chartName: string, version: string, repository = "https://charts.example.org") => render.chartSource({ chart: chartName, version, repository }, dir);

  test("DIR/<chart>-<version>/ (with or without a leading v), DIR/<chart>/ of that version, DIR/<chart>-<version>.tgz", () => {
    expect(src("ingress-nginx", "4.13.5")).toEqual({ ref: join(dir, "ingress-nginx-4.13.5"), args: [] });
    expect(src("cert-manager", "v1.18.2")).toEqual({ ref: join(dir, "cert-manager-v1.18.2"), args: [] });
    expect(src("cert-manager", "1.18.2")).toEqual({ ref: join(dir, "cert-manager-v1.18.2"), args: [] });
    expect(src("velero", "10.0.10")).toEqual({ ref: join(dir, "velero"), args: [] });
    expect(src("raw", "2.0.0")).toEqual({ ref: join(dir, "raw-2.0.0.tgz"), args: [] });
  });

  test("a missing or mismatched source is a problem, not a crash", () => {
    expect(src("velero", "11.0.0").problem).toMatch(/no chart source for velero 11\.0\.0 in .*velero\/Chart\.yaml is version 10\.0\.10/);
    expect(src("alloy", "1.2.0").problem).toMatch(/no chart source for alloy 1\.2\.0 in .*looked for .*alloy-1\.2\.0\//);
    expect(src("loki", "6.39.0").problem).toMatch(/loki-6\.39\.0\/Chart\.yaml is loki 6\.38\.0, not loki 6\.39\.0/);
  });

  test("online: the release's repository (https or OCI)", () => {
    expect(render.chartSource({ chart: "loki", version: "6.39.0", repository: "https://grafana.github.io/helm-charts" }, undefined))
      .toEqual({ ref: "loki", args: ["--repo", "https://grafana.github.io/helm-charts", "--version", "6.39.0"] });
    expect(render.chartSource({ chart: "x", version: "1.0.0", repository: "oci://ghcr.io/org/charts/" }, undefined))
      .toEqual({ ref: "oci://ghcr.io/org/charts/x", args: ["--version", "1.0.0"] });
    expect(render.chartSource({ chart: "x", version: "1.0.0" }, undefined).problem).toMatch(/no repository/);
  });

  test("charts that branch on .Capabilities.APIVersions are re-rendered with the stack's CRDs", () => {
    expect(render.usesApiVersions(join(FIXTURE_CHARTS, "gadget-1.0.0"))).toBe(true);
    expect(render.usesApiVersions(join(dir, "velero"))).toBe(false);
    expect(render.usesApiVersions(join(dir, "raw-2.0.0.tgz"))).toBe(true);
  });
});

describe("problem lines and helm errors", () => {
  test("one line per problem: <stack> <release> <kind>/<name>: <message>", () => {
    expect(render.problemLine({ stack: "s", release: "r", kind: "Deployment", name: "d", message: "spec.replicas:\n  'two' is not of type 'integer'" }))
      .toBe("s r Deployment/d: spec.replicas: | 'two' is not of type 'integer'");
    expect(render.problemLine({ stack: "s", release: "r", message: "m" })).toBe("s r -/-: m");
    expect(render.summaryLine({ releases: 39, documents: 1157, errors: 3 })).toBe("render: 39 releases, 1157 documents, 3 errors");
  });

  test("helm's error: prefix, hint and quoted template bodies dropped, bounded", () => {
    const stderr = "Error: template: loki/templates/config.yaml:19:7: error calling tpl: error during tpl function execution for \"{{- if .Values.x }}\\nauth: \\\"a\\\"\\n{{- end }}\": template: gotpl:52:6: nil pointer evaluating interface {}.chunks\n\nUse --debug flag to render out invalid YAML\n";
    expect(render.helmError(stderr)).toBe("template: loki/templates/config.yaml:19:7: error calling tpl: error during tpl function execution for \"...\": template: gotpl:52:6: nil pointer evaluating interface {}.chunks");
    expect(render.helmError("x".repeat(2000), 100)).toHaveLength(103);
    expect(render.helmError("")).toBe("helm failed without a message");
  });

  test("served versions of rendered CRDs become --api-versions", () => {
    const crds = render.crdApiVersions(readFileSync(join(FIXTURE_CHARTS, "gadget-1.0.0", "templates", "crd.yaml"), "utf8") +
      "\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n---\napiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nspec: {group: g.io, names: {kind: K}, versions: [{name: v1, served: false}, {name: v2}]}\n");
    expect([...crds].sort()).toEqual(["fixtures.example.org/v1", "fixtures.example.org/v1/Widget", "g.io/v2", "g.io/v2/K"]);
  });
});

// End to end: helm and the validator on our own fixture chart. Needs helm and the validator's
// Python packages already installed (`npm run render` once installs both into .tools/); CI's
// `npm test` has neither (building helm takes minutes), so there it is skipped, saying why.
const helmBin = join(tools.TOOLS_DIR, "bin", "helm");
const venv = join(tools.TOOLS_DIR, "render-venv");
const ready = existsSync(helmBin) && render.PIP_DEPS.every((d: any) => tools.pipInstalled(venv, d));
// CI installs the tools first and sets RENDER_E2E=required: there a missing tool fails the run.
if (!ready && process.env.RENDER_E2E === "required") throw new Error(`RENDER_E2E=required but ${helmBin} or the validator in ${venv} is missing (npm run render -- --install-tools)`);
const e2e = ready ? describe : describe.skip;
if (!ready) {
  console.warn(`render end-to-end tests skipped: no ${helmBin} or validator packages in ${venv} (run \`npm run render\` once to install them)`);
}

e2e("npm run render end to end (fixture chart)", () => {
  function runRender(values: Record<string, any>, extra: Record<string, any> = {}) {
    const dir = mkdtempSync(join(tmpdir(), "render-e2e-"));
    const d = docs({
      gadget_G7: { name: "gadget", chart: "gadget", version: "1.0.0", repository: "https://charts.example.org", namespace: "${kubernetes_namespace_v1.ns_D4.metadata[0].name}", values: [JSON.stringify(values)] },
      ...extra,
    });
    for (const [stack, doc] of Object.entries(d)) {
      mkdirSync(join(dir, "stacks", stack), { recursive: true });
      writeFileSync(join(dir, "stacks", stack, "cdk.tf.json"), JSON.stringify(doc));
    }
    const r = spawnSync(process.execPath, [join(ROOT, "scripts", "render.js"), "--charts", FIXTURE_CHARTS, "--stacks", join(dir, "stacks"), "--out", join(dir, "out"), "--helm", helmBin], { encoding: "utf8" });
    return { code: r.status, out: r.stdout, err: r.stderr, dir };
  }

  test("good values: 0 errors, the Capabilities-gated resource rendered, manifests written", () => {
    const r = runRender({ replicas: 2, note: "fine", image: "${aws_ecr_repository.r.repository_url}:1" });
    expect(r.err).toBe("");
    expect(r.out).toMatch(/^render: 1 releases, 5 documents, 0 errors$/m);
    expect(r.code).toBe(0);
    const rendered = readFileSync(join(r.dir, "out", "production-platform", "gadget.yaml"), "utf8");
    expect(rendered).toContain("name: gadget-served");
    expect(rendered).toContain("image: \"123456789012.dkr.ecr.eu-west-1.amazonaws.com/render-placeholder:1\"");
  }, 60_000);

  test("a value with an unquoted \": \" written raw into YAML fails the release", () => {
    const r = runRender({ note: "Disabled: nothing" });
    expect(r.out).toMatch(/^production-platform gadget chart\/gadget-1\.0\.0: helm template failed: YAML parse error on gadget\/templates\/configmap\.yaml: .*mapping values are not allowed/m);
    expect(r.out).toMatch(/^render: 1 releases, 0 documents, 1 errors$/m);
    expect(r.code).toBe(1);
  }, 60_000);

  test("schema errors in built-in kinds and custom resources, a CR without CRD, a duplicate, a missing chart", () => {
    const r = runRender({
      replicas: "two", securityContext: { runAsUsr: 1000 }, widget: { size: 0 },
      extraObjects: [
        { apiVersion: "fixtures.example.org/v1", kind: "Gizmo", metadata: { name: "g" } },
        { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "gadget-note" } },
      ],
    }, {
      missing_H8: { name: "absent", chart: "absent", version: "9.9.9", repository: "https://charts.example.org", values: [] },
    });
    const lines = r.out.split("\n");
    expect(lines).toEqual(expect.arrayContaining([
      "production-platform gadget Deployment/gadget: spec.replicas: 'two' is not of type 'integer', 'null'",
      "production-platform gadget Deployment/gadget: spec.template.spec.containers[0].securityContext: Additional properties are not allowed ('runAsUsr' was unexpected)",
      "production-platform gadget Widget/gadget: spec.size: 0 is less than the minimum of 1",
      "production-platform gadget Gizmo/g: no schema: fixtures.example.org/v1 Gizmo is not a built-in API of Kubernetes 1.33 and no release in production-platform renders its CRD",
      "production-platform gadget ConfigMap/gadget-note: observability/gadget-note: rendered twice by this release",
    ]));
    expect(r.out).toMatch(/^production-platform absent chart\/absent-9\.9\.9: no chart source for absent 9\.9\.9 in /m);
    expect(r.out).toMatch(/^render: 2 releases, 7 documents, 6 errors$/m);
    expect(r.code).toBe(1);
  }, 60_000);
});
