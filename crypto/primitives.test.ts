// Published test vectors: they pin the primitives crypto/ is built on to the standards.
import { beforeAll, describe, expect, it } from "vitest";
import { fromHex, toHex, utf8 } from "./encoding";
import { hkdfSha256 } from "./kdf";
import { identityKeyPairFromSeed } from "./keys";
import { cryptoReady, lib } from "./sodium";

beforeAll(cryptoReady);

describe("published vectors", () => {
  it("Ed25519, RFC 8032 section 7.1 test 1", () => {
    const pair = identityKeyPairFromSeed(fromHex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"));
    expect(toHex(pair.publicKey)).toBe("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
    expect(toHex(lib().crypto_sign_detached(new Uint8Array(0), pair.secretKey))).toBe(
      "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
    );
  });

  it("HKDF-SHA256, RFC 5869 test case 1", async () => {
    const okm = await hkdfSha256(new Uint8Array(22).fill(0x0b), fromHex("000102030405060708090a0b0c"), fromHex("f0f1f2f3f4f5f6f7f8f9"), 42);
    expect(toHex(okm)).toBe("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
  });

  it("XChaCha20-Poly1305, draft-irtf-cfrg-xchacha-03 appendix A.3.1", () => {
    const plaintext = utf8("Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.");
    const ciphertext = lib().crypto_aead_xchacha20poly1305_ietf_encrypt(
      plaintext,
      fromHex("50515253c0c1c2c3c4c5c6c7"),
      null,
      fromHex("404142434445464748494a4b4c4d4e4f5051525354555657"),
      fromHex("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f"),
    );
    expect(toHex(ciphertext)).toBe(
      "bd6d179d3e83d43b9576579493c0e939572a1700252bfaccbed2902c21396cbb731c7f1b0b4aa6440bf3a82f4eda7e39ae64c6708c54c216cb96b72e1213b4522f8c9ba40db5d945b11b69b982c1bb9e3f3fac2bc369488f76b2383565d3fff921f9664c97637da9768812f615c68b13b52e" +
        "c0875924c1c7987947deafd8780acf49",
    );
  });
});
