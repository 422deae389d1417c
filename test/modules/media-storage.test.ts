import { MediaStorage } from "../../modules/media-storage";
import { k8sStack } from "./k8s-stack";

describe("MediaStorage", () => {
  it("MediaStorage needs exactly one of an EFS file system and a storage class", () => {
    const make = (props: { efsFileSystemId?: string; storageClassName?: string; sizeGi?: number }) => () => new MediaStorage(k8sStack(), "media", { namespace: "openedx-prod", ...props });
    expect(make({})).toThrow("MediaStorage media: efsFileSystemId/storageClassName = {} is invalid; exactly one is required");
    expect(make({ efsFileSystemId: "fs-1", storageClassName: "nfs" })).toThrow("exactly one is required");
    expect(make({ efsFileSystemId: "fs-1", sizeGi: 0 })).toThrow("sizeGi = 0 is invalid");
  });
});
