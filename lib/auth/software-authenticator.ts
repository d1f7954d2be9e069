import "server-only";
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from "node:crypto";
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from "@simplewebauthn/server";
import { isoCBOR } from "@simplewebauthn/server/helpers";

/**
 * A software FIDO2 authenticator for server tests: real Ed25519 signatures over real
 * authenticator data, with every field under the test's control (origin, flags, counter,
 * challenge), so each refusal can be shown to come from the check it names.
 */
export interface SoftwareAuthenticatorOptions {
  origin: string;
  rpId: string;
  /** A chosen credential id (a crafted client can claim any), say one that is already someone's. Random otherwise. */
  credentialId?: Uint8Array;
  /** The model's AAGUID written into the attested credential data (16 bytes); all zeros otherwise, as browsers that hide the model send. */
  aaguid?: Uint8Array;
}

export interface CeremonyOverrides {
  origin?: string;
  type?: string;
  userVerified?: boolean;
  signCount?: number;
}

const b64url = (bytes: Uint8Array | Buffer) => Buffer.from(bytes).toString("base64url");
const sha256 = (data: Uint8Array | string) => createHash("sha256").update(data).digest();

export class SoftwareAuthenticator {
  readonly credentialId: Buffer;
  private readonly privateKey: KeyObject;
  private readonly publicKeyRaw: Buffer;
  signCount = 0;
  userHandle: Buffer | null = null;

  constructor(private readonly options: SoftwareAuthenticatorOptions) {
    this.credentialId = options.credentialId ? Buffer.from(options.credentialId) : randomBytes(16);
    const { privateKey, publicKey } = generateKeyPairSync("ed25519");
    this.privateKey = privateKey;
    this.publicKeyRaw = Buffer.from(publicKey.export({ format: "jwk" }).x!, "base64url");
  }

  get id(): string {
    return b64url(this.credentialId);
  }

  private clientData(challenge: string, ceremony: "webauthn.create" | "webauthn.get", overrides: CeremonyOverrides) {
    return Buffer.from(JSON.stringify({ type: overrides.type ?? ceremony, challenge, origin: overrides.origin ?? this.options.origin, crossOrigin: false }));
  }

  private authenticatorData(overrides: CeremonyOverrides, attested?: Buffer): Buffer {
    const userPresent = 0x01;
    const userVerified = overrides.userVerified === false ? 0 : 0x04;
    const attestedData = attested ? 0x40 : 0;
    const counter = Buffer.alloc(4);
    counter.writeUInt32BE(overrides.signCount ?? this.signCount);
    return Buffer.concat([sha256(this.options.rpId), Buffer.from([userPresent | userVerified | attestedData]), counter, attested ?? Buffer.alloc(0)]);
  }

  /** Answers navigator.credentials.create() for the given options. */
  register(challenge: string, userId: string, overrides: CeremonyOverrides = {}): RegistrationResponseJSON {
    this.userHandle = Buffer.from(userId.replaceAll("-", ""), "hex");
    const cosePublicKey = isoCBOR.encode(
      new Map<number, number | Uint8Array>([
        [1, 1],
        [3, -8],
        [-1, 6],
        [-2, new Uint8Array(this.publicKeyRaw)],
      ]),
    );
    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(this.credentialId.length);
    const attested = Buffer.concat([
      this.options.aaguid ? Buffer.from(this.options.aaguid) : Buffer.alloc(16),
      idLength,
      this.credentialId,
      Buffer.from(cosePublicKey),
    ]);
    const authData = this.authenticatorData(overrides, attested);
    const attestationObject = isoCBOR.encode(
      new Map<string, string | Map<string, string> | Uint8Array>([
        ["fmt", "none"],
        ["attStmt", new Map<string, string>()],
        ["authData", new Uint8Array(authData)],
      ]),
    );
    return {
      id: this.id,
      rawId: this.id,
      type: "public-key",
      response: {
        clientDataJSON: b64url(this.clientData(challenge, "webauthn.create", overrides)),
        attestationObject: b64url(attestationObject),
        transports: ["internal"],
      },
      clientExtensionResults: {},
    };
  }

  /** Answers navigator.credentials.get(); advances the counter like a real authenticator. */
  assert(challenge: string, overrides: CeremonyOverrides = {}): AuthenticationResponseJSON {
    if (overrides.signCount === undefined) this.signCount += 1;
    const authData = this.authenticatorData(overrides);
    const clientData = this.clientData(challenge, "webauthn.get", overrides);
    const signature = sign(null, Buffer.concat([authData, sha256(clientData)]), this.privateKey);
    return {
      id: this.id,
      rawId: this.id,
      type: "public-key",
      response: {
        clientDataJSON: b64url(clientData),
        authenticatorData: b64url(authData),
        signature: b64url(signature),
        userHandle: this.userHandle ? b64url(this.userHandle) : undefined,
      },
      clientExtensionResults: {},
    };
  }
}
