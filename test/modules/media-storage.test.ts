import { MediaStorage } from "../../modules/media-storage";
import { resource, synth } from "../helpers";
import { k8sStack } from "./k8s-stack";

describe("MediaStorage", () => {
  it("MediaStorage needs exactly one of an EFS file system and a storage class", () => {
    const make = (props: { efsFileSystemId?: string; storageClassName?: string; sizeGi?: number }) => () => new MediaStorage(k8sStack(), "media", { namespace: "openedx-prod", ...props });
    expect(make({})).toThrow("MediaStorage media: efsFileSystemId/storageClassName = {} is invalid; exactly one is required");
    expect(make({ efsFileSystemId: "fs-1", storageClassName: "nfs" })).toThrow("exactly one is required");
    expect(make({ efsFileSystemId: "fs-1", sizeGi: 0 })).toThrow("sizeGi = 0 is invalid");
  });
});

describe("MediaStorage claim", () => {
  const build = (props: { efsFileSystemId?: string; storageClassName?: string; sizeGi?: number; uid?: number }) => {
    const stack = k8sStack();
    const m = new MediaStorage(stack, "media", { namespace: "openedx-prod", ...props });
    return { m, json: synth(stack) };
  };

  it("on EFS: one access point per claim under /openedx, TLS and IAM mounts, media kept when the claim goes", () => {
    const { json } = build({ efsFileSystemId: "fs-0123456789abcdef0" });
    const sc = resource(json, "kubernetes_storage_class_v1");
    expect(sc).toMatchObject({ storage_provisioner: "efs.csi.aws.com", reclaim_policy: "Retain", mount_options: ["tls", "iam"] });
    expect(sc.parameters).toEqual({ provisioningMode: "efs-ap", fileSystemId: "fs-0123456789abcdef0", directoryPerms: "750", uid: "1000", gid: "1000", basePath: "/openedx" });
    const pvc = resource(json, "kubernetes_persistent_volume_claim_v1");
    expect(pvc.metadata).toMatchObject({ name: "openedx-media", namespace: "openedx-prod" });
    // The claim names the class by reference, so it is created after the class.
    expect(pvc.spec).toEqual({ access_modes: ["ReadWriteMany"], storage_class_name: `\${kubernetes_storage_class_v1.${sc._id.replace(/\//g, "_")}.metadata[0].name}`, resources: { requests: { storage: "100Gi" } } });
    expect(pvc.wait_until_bound).toBe(false);
  });

  it("elsewhere: claims from the named ReadWriteMany class without creating one", () => {
    const { m, json } = build({ storageClassName: "longhorn-rwx", sizeGi: 250 });
    expect(m.storageClassName).toBe("longhorn-rwx");
    expect(json.resource?.kubernetes_storage_class_v1).toBeUndefined();
    expect(resource(json, "kubernetes_persistent_volume_claim_v1").spec).toMatchObject({ storage_class_name: "longhorn-rwx", resources: { requests: { storage: "250Gi" } } });
  });

  it("owns the directory as the configured uid and rejects root", () => {
    expect(resource(build({ efsFileSystemId: "fs-1", uid: 2000 }).json, "kubernetes_storage_class_v1").parameters).toMatchObject({ uid: "2000", gid: "2000" });
    expect(() => build({ efsFileSystemId: "fs-1", uid: 0 })).toThrow("MediaStorage media: uid = 0 is invalid");
  });
});
