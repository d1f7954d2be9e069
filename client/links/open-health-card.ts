import { compactVerify, createLocalJWKSet, decodeProtectedHeader, errors, type JSONWebKeySet } from "jose";
import { fromBase64url, isCryptoError } from "@/crypto";
import type { Fetcher } from "./open-fetch";

/**
 * What checking a SMART Health Card's signature found (SMART Health Cards framework,
 * "Signing Health Cards", "Determining keys associated with an issuer"):
 * - "verified": ES256 over the card, by a key the issuer publishes at `${iss}/.well-known/jwks.json`;
 * - "mismatch": the signature does not match any key the issuer publishes (altered, or not theirs);
 * - "unchecked": the issuer's keys could not be fetched or read, so nothing is known.
 */
export type CardSignature = "verified" | "mismatch" | "unchecked";

/** A health card read from a link: who issued it, whether its signature verified, and its FHIR Bundle (null when unreadable). */
export interface HealthCard {
  issuer: string;
  signature: CardSignature;
  bundle: unknown;
}

/** The most a card's payload may inflate to (bytes); a QR-sized card is a few KiB. */
const maxCardPayloadBytes = 1024 * 1024;

/**
 * The JWS strings of a `application/smart-health-card` file: `{"verifiableCredential": [JWS, …]}`.
 * Returns null for anything else.
 */
export function cardJwsList(json: unknown): string[] | null {
  if (typeof json !== "object" || json === null) return null;
  const list = (json as { verifiableCredential?: unknown }).verifiableCredential;
  if (!Array.isArray(list) || list.length === 0 || !list.every((item) => typeof item === "string" && item.split(".").length === 3)) return null;
  return list as string[];
}

/**
 * Reads one health card and checks its signature in this browser: the payload (raw DEFLATE,
 * header `zip: "DEF"`) gives `iss`, whose JWKS is fetched (no cookies) and the signature
 * checked with ES256 only. The card's content is returned whatever the result, beside it.
 * @throws nothing for a bad card (it reads as "mismatch" with a null bundle); rethrows programming errors
 */
export async function readHealthCard(jws: string, fetcher: Fetcher): Promise<HealthCard> {
  const payload = await cardPayload(jws);
  const issuer = typeof payload?.iss === "string" ? payload.iss : "";
  const bundle = payload ? ((payload.vc as { credentialSubject?: { fhirBundle?: unknown } } | undefined)?.credentialSubject?.fhirBundle ?? null) : null;
  if (!payload || !issuer) return { issuer, signature: "mismatch", bundle };
  const keys = await issuerKeys(issuer, fetcher);
  if (!keys) return { issuer, signature: "unchecked", bundle };
  try {
    await compactVerify(jws, createLocalJWKSet(keys), { algorithms: ["ES256"] });
    return { issuer, signature: "verified", bundle };
  } catch (error) {
    if (
      error instanceof errors.JWSSignatureVerificationFailed ||
      error instanceof errors.JWKSNoMatchingKey ||
      error instanceof errors.JWKSMultipleMatchingKeys ||
      error instanceof errors.JWSInvalid ||
      error instanceof errors.JOSEAlgNotAllowed ||
      error instanceof errors.JOSENotSupported
    ) {
      return { issuer, signature: "mismatch", bundle };
    }
    // A published key jose cannot use (wrong curve, malformed) is the issuer's fault: not checked.
    if (error instanceof errors.JWKInvalid || error instanceof TypeError) return { issuer, signature: "unchecked", bundle };
    throw error;
  }
}

/** The card's JSON payload (header `zip: "DEF"` inflated), or null when it is not one. */
async function cardPayload(jws: string): Promise<Record<string, unknown> | null> {
  let header: ReturnType<typeof decodeProtectedHeader>;
  let bytes: Uint8Array;
  try {
    header = decodeProtectedHeader(jws);
    bytes = fromBase64url(jws.split(".")[1] ?? "");
  } catch (error) {
    if (error instanceof errors.JOSEError || error instanceof TypeError || isCryptoError(error)) return null;
    throw error;
  }
  try {
    const text = new TextDecoder("utf-8", { fatal: true }).decode(header.zip === "DEF" ? await inflateRaw(bytes) : bytes);
    const json: unknown = JSON.parse(text);
    return typeof json === "object" && json !== null && !Array.isArray(json) ? (json as Record<string, unknown>) : null;
  } catch (error) {
    // A broken DEFLATE stream rejects with a TypeError; bad UTF-8 too; bad JSON with a SyntaxError.
    if (error instanceof TypeError || error instanceof SyntaxError || error instanceof RangeError) return null;
    throw error;
  }
}

async function inflateRaw(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream("deflate-raw"));
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let length = 0;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    length += value.length;
    if (length > maxCardPayloadBytes) {
      await reader.cancel();
      throw new RangeError("card payload too large");
    }
    chunks.push(value);
  }
  const out = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

/** The issuer's published keys, or null when they cannot be fetched or read. The issuer must be an https URL (or http on a loopback host). */
async function issuerKeys(issuer: string, fetcher: Fetcher): Promise<JSONWebKeySet | null> {
  let url: URL;
  try {
    url = new URL(`${issuer.replace(/\/+$/, "")}/.well-known/jwks.json`);
  } catch (error) {
    if (error instanceof TypeError) return null;
    throw error;
  }
  const loopback = url.hostname === "localhost" || url.hostname === "127.0.0.1" || url.hostname === "[::1]";
  if (url.protocol !== "https:" && !(url.protocol === "http:" && loopback)) return null;
  try {
    const response = await fetcher(url.href, { method: "GET", credentials: "omit", referrerPolicy: "no-referrer", cache: "no-store" });
    if (!response.ok) return null;
    const json: unknown = await response.json();
    const keys = (json as { keys?: unknown } | null)?.keys;
    return Array.isArray(keys) ? (json as JSONWebKeySet) : null;
  } catch (error) {
    if (error instanceof TypeError || error instanceof SyntaxError) return null;
    throw error;
  }
}
