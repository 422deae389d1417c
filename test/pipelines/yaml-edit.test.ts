import { parsePath, setScalar } from "../../pipelines/lib/yaml-edit";

describe("yaml-edit", () => {
  it("parses dot paths, indexes and selectors whose values contain dots", () => {
    expect(parsePath("image.tag")).toEqual([{ key: "image" }, { key: "tag" }]);
    expect(parsePath("images[name=registry.example.com/api].newTag")).toEqual([{ key: "images" }, { field: "name", equals: "registry.example.com/api" }, { key: "newTag" }]);
    expect(parsePath("spec.containers[0].image")).toEqual([{ key: "spec" }, { key: "containers" }, { index: 0 }, { key: "image" }]);
    for (const bad of ["", ".tag", "image..tag", "image.", "images[0]tag", "a[b"]) {
      expect(() => parsePath(bad)).toThrow(/is invalid; write a dot path/);
    }
  });

  it("keeps the original quoting style", () => {
    expect(setScalar("a:\n  tag: 'v1' # c\n", "a.tag", "it's").text).toBe("a:\n  tag: 'it''s' # c\n");
    expect(setScalar('tag: "v1"\n', "tag", "v2").text).toBe('tag: "v2"\n');
    expect(setScalar("tag: v1\n", "tag", "v2").text).toBe("tag: v2\n");
  });

  it("quotes a plain value that would read back as something else", () => {
    for (const v of ["1.10", "true", "on", "null", "a: b", "x #y", "*ref", "0x10"]) {
      const { text } = setScalar("tag: v1\n", "tag", v);
      expect(text).toBe(`tag: ${JSON.stringify(v)}\n`);
    }
  });

  it("finds the key in exactly one document of a multi-document file", () => {
    const text = "kind: A\nimage:\n  tag: v1\n---\nkind: B\nother: 1\n";
    expect(setScalar(text, "image.tag", "v2").text).toBe(text.replace("tag: v1", "tag: v2"));
    expect(() => setScalar("a: 1\n---\na: 2\n", "a", "3")).toThrow(/exists in 2 documents/);
  });

  it("edits through anchors but refuses aliases and block scalars", () => {
    expect(setScalar("tag: &t v1\nother: *t\n", "tag", "v2").text).toBe("tag: &t v2\nother: *t\n");
    expect(() => setScalar("tag: &t v1\nother: *t\n", "other", "v2")).toThrow(/other is an alias \(\*t\); change the anchored value/);
    expect(() => setScalar("tag: |\n  v1\n", "tag", "v2")).toThrow(/block scalar/);
  });

  it("uses digest for a sha256 value in a kustomization and explains a missing field", () => {
    const k = "kind: Kustomization\nimages:\n  - name: api\n    newTag: v1\n    digest: sha256:" + "a".repeat(64) + "\n";
    const digest = "sha256:" + "b".repeat(64);
    expect(setScalar(k, "api", digest, "kustomization.yaml").text).toContain(`digest: ${digest}`);
    expect(() => setScalar("kind: Kustomization\nimages:\n  - name: api\n    newName: x\n", "api", "v2")).toThrow(/image "api" has no newTag field/);
  });

  it("refuses invalid YAML, empty or multi-line values, and lists where a key is missing", () => {
    expect(() => setScalar("a: [\n", "a", "v", "f.yaml")).toThrow(/f\.yaml is not valid YAML/);
    expect(() => setScalar("a: 1\n", "a", "")).toThrow(/value "" is invalid/);
    expect(() => setScalar("a: 1\n", "a", "x\ny")).toThrow(/value "x\\ny" is invalid/);
    expect(() => setScalar("a: [1]\n", "a[3]", "v")).toThrow(/a has no item 3/);
    expect(() => setScalar("a: 1\n", "a.b", "v")).toThrow(/a is the scalar 1, so it has no key "b"/);
    expect(() => setScalar("l:\n  - name: x\n  - name: x\n", "l[name=x]", "v")).toThrow(/2 items with name=x/);
    expect(() => setScalar("a:\n", "a", "v")).toThrow(/key a has no value to replace/);
  });
});
