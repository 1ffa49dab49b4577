import { describe, expect, it } from "vitest";
import { authorizationHeader, parseAuthChallenges, pickChallenge } from "../../../src/onvif/http-auth.js";
import { isJpeg } from "../../../src/onvif/snapshot.js";

function responseOf(header: string): string | undefined {
  return /response="([0-9a-f]+)"/.exec(header)?.[1];
}

describe("HTTP authentication", () => {
  it("parses several challenges, quoted commas and escapes", () => {
    const got = parseAuthChallenges([
      'Digest realm="IP Camera", qop="auth,auth-int", nonce="abc", algorithm=SHA-256, stale=FALSE, Basic realm="x\\"y"',
      'Digest realm="IP Camera", qop="auth", nonce="def"',
    ]);
    expect(got).toEqual([
      {
        scheme: "digest",
        params: {
          realm: "IP Camera",
          qop: "auth,auth-int",
          nonce: "abc",
          algorithm: "SHA-256",
          stale: "FALSE",
        },
      },
      { scheme: "basic", params: { realm: 'x"y' } },
      { scheme: "digest", params: { realm: "IP Camera", qop: "auth", nonce: "def" } },
    ]);
  });

  it("prefers SHA-256 Digest, then MD5 Digest, then Basic", () => {
    const cs = parseAuthChallenges([
      'Basic realm="r"',
      'Digest realm="r", nonce="1"',
      'Digest realm="r", nonce="2", algorithm=SHA-256',
    ]);
    expect(pickChallenge(cs)?.params["nonce"]).toBe("2");
    expect(pickChallenge(cs.slice(0, 2))?.params["nonce"]).toBe("1");
    expect(pickChallenge(cs.slice(0, 1))?.scheme).toBe("basic");
    expect(
      pickChallenge(parseAuthChallenges(['Digest realm="r", nonce="1", algorithm=SHA-1'])),
    ).toBeUndefined();
    expect(pickChallenge(parseAuthChallenges(['Bearer realm="r"']))).toBeUndefined();
  });

  it("RFC 2617 §3.5 example (MD5, qop=auth)", () => {
    const [challenge] = parseAuthChallenges([
      'Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41"',
    ]);
    const h = authorizationHeader({
      challenge: challenge!,
      method: "GET",
      uri: "/dir/index.html",
      username: "Mufasa",
      password: "Circle Of Life",
      cnonce: "0a4f113b",
      nc: 1,
    });
    expect(responseOf(h)).toBe("6629fae49393a05397450978507c4ef1");
    expect(h).toContain("nc=00000001");
    expect(h).toContain('opaque="5ccc069c403ebaf9f0171e9517f40e41"');
  });

  it("RFC 7616 §3.9.1 examples (MD5 and SHA-256)", () => {
    const base =
      'realm="http-auth@example.org", qop="auth, auth-int", nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"';
    const input = {
      method: "GET",
      uri: "/dir/index.html",
      username: "Mufasa",
      password: "Circle of Life",
      cnonce: "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ",
      nc: 1,
    };
    const [md5] = parseAuthChallenges([`Digest ${base}, algorithm=MD5`]);
    const [sha] = parseAuthChallenges([`Digest ${base}, algorithm=SHA-256`]);
    expect(responseOf(authorizationHeader({ ...input, challenge: md5! }))).toBe(
      "8ca523f5e9506fed4657c9700eebdbec",
    );
    expect(responseOf(authorizationHeader({ ...input, challenge: sha! }))).toBe(
      "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1",
    );
  });

  it("Basic", () => {
    expect(
      authorizationHeader({
        challenge: { scheme: "basic", params: {} },
        method: "GET",
        uri: "/",
        username: "Aladdin",
        password: "open sesame",
      }),
    ).toBe("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
  });

  it("isJpeg wants SOI at the start and EOI near the end", () => {
    expect(isJpeg(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0, 0xff, 0xd9]))).toBe(true);
    expect(isJpeg(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0xff, 0xd9, 0, 0, 0]))).toBe(true);
    expect(isJpeg(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0, 0, 0]))).toBe(false);
    expect(isJpeg(Buffer.from("<html>401</html>"))).toBe(false);
    expect(isJpeg(Buffer.alloc(0))).toBe(false);
  });
});
