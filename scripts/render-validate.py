"""Validator for `npm run render` (scripts/render.js runs it in the tools venv).

Input: a JSON list of {stack, release, namespace, kubeVersion, file}, each file the output of one
`helm template`. Output (stdout): {"documents": N, "problems": [{stack, release, kind, name, message}]}.

- Every document must parse as YAML and carry apiVersion, kind and metadata.name.
- Built-in kinds: the Kubernetes OpenAPI schemas for the stack's Kubernetes version bundled in
  kubernetes-validate, the strict variant (unknown fields fail, as `kubectl apply --validate=strict`).
- Custom resources: the openAPIV3Schema of the served version of the CRD rendered in the same stack
  (any release), translated to JSON schema (int-or-string, nullable, unknown fields fail unless the
  schema preserves them). No CRD for a custom resource is a problem.
- Two documents of one stack that are the same object (group, kind, namespace, name) is a problem.
"""
import copy
import json
import os
import sys

import jsonschema
import kubernetes_validate
import yaml
from referencing import Registry, Resource

MAX_ERRORS_PER_DOC = 8
MAX_MESSAGE = 400
# Built-in kinds without a namespace (for the duplicate check; custom resources use the CRD's scope).
CLUSTER_SCOPED = {
    "APIService", "CertificateSigningRequest", "ClusterRole", "ClusterRoleBinding", "ComponentStatus", "CSIDriver", "CSINode",
    "CustomResourceDefinition", "FlowSchema", "IngressClass", "MutatingAdmissionPolicy", "MutatingAdmissionPolicyBinding",
    "MutatingWebhookConfiguration", "Namespace", "Node", "PersistentVolume", "PodSecurityPolicy", "PriorityClass",
    "PriorityLevelConfiguration", "RuntimeClass", "StorageClass", "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding",
    "ValidatingWebhookConfiguration", "VolumeAttachment", "DeviceClass", "VolumeAttributesClass",
}



class Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # libyaml: ~10x faster on the big CRDs
    """YAML as Kubernetes reads it: a plain `=` is a string (PyYAML's YAML 1.1 `value` tag is not)."""


Loader.yaml_implicit_resolvers = {
    ch: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:value"]
    for ch, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}

SCHEMA_ROOT = os.path.join(os.path.dirname(kubernetes_validate.__file__), "kubernetes-json-schema")


def clip(s, n=MAX_MESSAGE):
    s = " ".join(str(s).split())
    return s if len(s) <= n else s[: n - 3] + "..."


def json_path(parts):
    out = ""
    for p in parts:
        out += "[%d]" % p if isinstance(p, int) else ("." if out else "") + str(p)
    return out or "(root)"


def error_message(e):
    where = json_path(e.absolute_path)
    if e.validator == "additionalProperties":
        return "%s: %s" % (where, e.message)
    if e.validator in ("type", "enum", "const", "pattern", "format", "minimum", "maximum", "minLength", "maxLength"):
        return "%s: %s" % (where, clip(e.message, 240))
    if e.validator == "required":
        return "%s: %s" % (where, e.message)
    if e.validator in ("oneOf", "anyOf"):
        best = jsonschema.exceptions.best_match(e.context) if e.context else None
        return "%s: %s" % (where, clip(best.message if best else "does not match any allowed form", 240))
    return "%s: %s" % (where, clip(e.message, 240))


# ---------------------------------------------------------------- built-in kinds

class BuiltIn:
    """Strict Kubernetes schemas of one version, loaded once per kind."""

    def __init__(self, kube_version):
        versions = sorted(
            (d[1:-len("-local-strict")] for d in os.listdir(SCHEMA_ROOT) if d.endswith("-local-strict")),
            key=lambda v: [int(x) for x in v.split(".")],
        )
        want = [int(x) for x in (kube_version or versions[-1]).lstrip("v").split(".")[:2]]
        fitting = [v for v in versions if [int(x) for x in v.split(".")[:2]] <= want]
        if not fitting:
            raise SystemExit("kubernetes-validate has no schemas for Kubernetes %s (oldest %s)" % (kube_version, versions[0]))
        self.version = fitting[-1]
        if [int(x) for x in self.version.split(".")[:2]] != want:
            sys.stderr.write("render-validate: no schemas for Kubernetes %s; using %s\n" % (kube_version, self.version))
        self.minor = ".".join(self.version.split(".")[:2])
        self.dir = os.path.join(SCHEMA_ROOT, "v%s-local-strict" % self.version)
        with open(os.path.join(self.dir, "_definitions.json")) as f:
            self.registry = Resource.from_contents(json.load(f)) @ Registry()
        self.cache = {}

    def validator(self, api_version, kind):
        group_version = api_version.split("/")
        if len(group_version) == 2:
            group, version = group_version
            prefix = group.split(".")[0] + "-" + version
        else:
            prefix = group_version[0]
        key = (kind.lower(), prefix)
        if key not in self.cache:
            path = os.path.join(self.dir, "%s-%s.json" % key)
            if not os.path.exists(path):
                self.cache[key] = None
            else:
                with open(path) as f:
                    schema = json.load(f)
                self.cache[key] = jsonschema.validators.Draft202012Validator(schema, registry=Resource.from_contents(schema) @ self.registry)
        return self.cache[key]


# ---------------------------------------------------------------- custom resources

def crd_to_jsonschema(node, root=True):
    """openAPIV3Schema (with Kubernetes extensions) -> JSON schema; objects reject unknown fields."""
    if isinstance(node, list):
        return [crd_to_jsonschema(n, False) for n in node]
    if not isinstance(node, dict):
        return node
    s = {}
    for k, v in node.items():
        if k in ("properties", "patternProperties", "definitions"):
            s[k] = {pk: crd_to_jsonschema(pv, False) for pk, pv in v.items()}
        elif k in ("items", "additionalProperties", "not") and isinstance(v, dict):
            s[k] = crd_to_jsonschema(v, False)
        elif k in ("allOf", "anyOf", "oneOf"):
            s[k] = [crd_to_jsonschema(x, False) for x in v]
        elif k.startswith("x-kubernetes-") or k in ("nullable", "example", "externalDocs"):
            continue
        else:
            s[k] = v
    if node.get("x-kubernetes-int-or-string"):
        s.pop("type", None)
        s.setdefault("anyOf", [{"type": "integer"}, {"type": "string"}])
    if node.get("nullable") and "type" in s:
        s["type"] = [s["type"], "null"] if isinstance(s["type"], str) else list(s["type"]) + ["null"]
    if root or node.get("x-kubernetes-embedded-resource"):
        props = s.setdefault("properties", {}) if ("properties" in s or root) else None
        if props is not None:
            props.setdefault("apiVersion", {"type": "string"})
            props.setdefault("kind", {"type": "string"})
            props.setdefault("metadata", {"type": "object"})
    preserve = node.get("x-kubernetes-preserve-unknown-fields")
    if "properties" in s and "additionalProperties" not in s and not preserve:
        s["additionalProperties"] = False
    return s


class Crds:
    """The CRDs rendered in one stack: (group, version, kind) -> validator, plus scopes."""

    def __init__(self):
        self.by_gvk = {}
        self.served = {}
        self.scope = {}
        self.cache = {}

    def add(self, crd, release):
        spec = crd.get("spec") or {}
        group, kind = spec.get("group"), (spec.get("names") or {}).get("kind")
        if not group or not kind:
            return
        self.scope[(group, kind)] = spec.get("scope", "Namespaced")
        self.served[(group, kind)] = [v.get("name") for v in spec.get("versions") or [] if v.get("served", True)]
        for v in spec.get("versions") or []:
            schema = ((v.get("schema") or {}).get("openAPIV3Schema")) or (spec.get("validation") or {}).get("openAPIV3Schema")
            if v.get("served", True):
                self.by_gvk[(group, v.get("name"), kind)] = schema

    def validator(self, group, version, kind):
        key = (group, version, kind)
        if key not in self.cache:
            schema = self.by_gvk.get(key)
            self.cache[key] = jsonschema.validators.Draft4Validator(crd_to_jsonschema(copy.deepcopy(schema))) if isinstance(schema, dict) else None
        return self.cache[key]


# ---------------------------------------------------------------- main

def main():
    jobs = json.load(open(sys.argv[1]))
    problems = []
    documents = 0
    builtins = {}
    by_stack = {}

    def problem(job, kind, name, message):
        problems.append({"stack": job["stack"], "release": job["release"], "kind": kind or "-", "name": name or "-", "message": message})

    for job in jobs:
        try:
            with open(job["file"]) as f:
                docs = list(yaml.load_all(f, Loader=Loader))
        except yaml.YAMLError as e:
            problem(job, "-", "-", "YAML does not parse: %s" % clip(e))
            continue
        # A v1 List is applied item by item (helm flattens it like kubectl).
        flat = []
        for d in docs:
            if isinstance(d, dict) and d.get("apiVersion") == "v1" and d.get("kind") == "List" and isinstance(d.get("items"), list):
                flat.extend(d["items"])
            elif d is not None:
                flat.append(d)
        by_stack.setdefault(job["stack"], []).extend((job, d) for d in flat)

    for stack, entries in by_stack.items():
        crds = Crds()
        for job, d in entries:
            if isinstance(d, dict) and d.get("kind") == "CustomResourceDefinition" and str(d.get("apiVersion", "")).startswith("apiextensions.k8s.io/"):
                crds.add(d, job["release"])
        seen = {}
        for job, d in entries:
            documents += 1
            if not isinstance(d, dict):
                problem(job, "-", "-", "document is a %s, not a mapping: %s" % (type(d).__name__, clip(repr(d), 120)))
                continue
            kind, api_version = d.get("kind"), d.get("apiVersion")
            meta = d.get("metadata") if isinstance(d.get("metadata"), dict) else {}
            name = meta.get("name") or meta.get("generateName")
            if not kind or not api_version or not isinstance(kind, str) or not isinstance(api_version, str):
                problem(job, kind, name, "document has no apiVersion/kind")
                continue
            if not name:
                problem(job, kind, name, "document has no metadata.name")
            group, version = api_version.split("/", 1) if "/" in api_version else ("", api_version)

            kube = job.get("kubeVersion") or ""
            if kube not in builtins:
                builtins[kube] = BuiltIn(kube)
            builtin = builtins[kube]
            validator = builtin.validator(api_version, kind)
            if validator is None:
                if (group, kind) in crds.served:
                    if version not in crds.served[(group, kind)]:
                        problem(job, kind, name, "%s is not served by the CRD (served: %s)" % (api_version, ", ".join(crds.served[(group, kind)]) or "none"))
                        continue
                    validator = crds.validator(group, version, kind)
                    if validator is None:
                        continue  # a CRD without a schema accepts anything
                else:
                    problem(job, kind, name, "no schema: %s %s is not a built-in API of Kubernetes %s and no release in %s renders its CRD" % (api_version, kind, builtin.minor, stack))
                    continue
            errors = sorted(validator.iter_errors(d), key=lambda e: list(e.absolute_path))
            for e in errors[:MAX_ERRORS_PER_DOC]:
                problem(job, kind, name, error_message(e))
            if len(errors) > MAX_ERRORS_PER_DOC:
                problem(job, kind, name, "... and %d more schema errors" % (len(errors) - MAX_ERRORS_PER_DOC))

            if name:
                scope = crds.scope.get((group, kind)) or ("Cluster" if kind in CLUSTER_SCOPED else "Namespaced")
                ns = "" if scope == "Cluster" else (meta.get("namespace") or job.get("namespace") or "default")
                key = (group, kind, ns, name)
                if key in seen and not meta.get("generateName"):
                    other = seen[key]
                    where = "also rendered by release %s" % other if other != job["release"] else "rendered twice by this release"
                    problem(job, kind, name, "%s%s: %s" % (ns + "/" if ns else "", name, where))
                else:
                    seen[key] = job["release"]

    json.dump({"documents": documents, "problems": problems}, sys.stdout)


if __name__ == "__main__":
    main()
