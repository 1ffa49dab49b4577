import { describe, expect, it } from "vitest";
import { assertUserEndpoint, isPrivateAddress } from "../../../src/providers/endpoint-guard.js";

const refuse = { allowPrivate: false };

describe("users' bucket endpoints", () => {
  it.each([
    "127.0.0.1",
    "10.1.2.3",
    "172.16.0.9",
    "192.168.1.20",
    "169.254.169.254",
    "100.64.0.1",
    "0.0.0.0",
    "::1",
    "::",
    "fd00::5",
    "fe80::1",
    "::ffff:10.0.0.1",
  ])("%s is private", (address) => {
    expect(isPrivateAddress(address)).toBe(true);
  });

  it.each(["8.8.8.8", "52.216.1.1", "2a00:1450:4001:80b::200e", "::ffff:8.8.8.8"])(
    "%s is public",
    (address) => {
      expect(isPrivateAddress(address)).toBe(false);
    },
  );

  it("refuses private literals, names resolving to a private address, credentials and other schemes", async () => {
    await expect(assertUserEndpoint("http://127.0.0.1:9000", refuse)).rejects.toMatchObject({
      code: "E_VALIDATION",
    });
    await expect(assertUserEndpoint("http://[::1]:9000", refuse)).rejects.toMatchObject({
      code: "E_VALIDATION",
    });
    // One private address among several is enough to refuse (the SDK may pick any of them).
    const resolve = async () => ["52.216.1.1", "10.0.0.7"];
    await expect(assertUserEndpoint("https://s3.example.com", { ...refuse, resolve })).rejects.toMatchObject({
      code: "E_VALIDATION",
    });
    await expect(assertUserEndpoint("https://u:p@s3.example.com", refuse)).rejects.toMatchObject({
      code: "E_VALIDATION",
    });
    await expect(assertUserEndpoint("ftp://s3.example.com", refuse)).rejects.toMatchObject({
      code: "E_VALIDATION",
    });
    const unresolvable = async () => {
      throw new Error("ENOTFOUND");
    };
    await expect(
      assertUserEndpoint("https://nowhere.invalid", { ...refuse, resolve: unresolvable }),
    ).rejects.toMatchObject({ code: "E_VALIDATION" });
  });

  it("accepts public endpoints, and private ones when the deployment allows them", async () => {
    const resolve = async () => ["52.216.1.1"];
    await expect(
      assertUserEndpoint("https://s3.example.com", { ...refuse, resolve }),
    ).resolves.toBeUndefined();
    await expect(
      assertUserEndpoint("http://127.0.0.1:9000", { allowPrivate: true }),
    ).resolves.toBeUndefined();
  });
});
