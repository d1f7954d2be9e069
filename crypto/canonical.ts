import { CryptoError } from "./errors";
import { fromUtf8, utf8 } from "./encoding";

/**
 * The byte encoding that signatures and associated data are computed over. Every value
 * carries a type tag and an explicit length, so no two different field lists encode to
 * the same bytes (unlike JSON, whose key order and number formats vary).
 *
 *   0x01 'H' 'C'  u32 label length, label (UTF-8)  u32 field count  fields…
 *   field: 0x01 bytes  | 0x02 UTF-8 string (u32 length, data) | 0x03 integer (u64 big-endian)
 */
export type CanonicalField = Uint8Array | string | number;

const magic = [0x01, 0x48, 0x43];
const tagBytes = 0x01;
const tagString = 0x02;
const tagInteger = 0x03;
const maxLength = 0xffffffff;

function lengthPrefixed(tag: number, data: Uint8Array): Uint8Array {
  if (data.length > maxLength) throw new CryptoError("invalid-argument");
  const out = new Uint8Array(5 + data.length);
  out[0] = tag;
  new DataView(out.buffer).setUint32(1, data.length);
  out.set(data, 5);
  return out;
}

function encodeField(field: CanonicalField): Uint8Array {
  if (field instanceof Uint8Array) return lengthPrefixed(tagBytes, field);
  if (typeof field === "string") return lengthPrefixed(tagString, utf8(field));
  if (typeof field === "number" && Number.isSafeInteger(field) && field >= 0) {
    const out = new Uint8Array(9);
    out[0] = tagInteger;
    new DataView(out.buffer).setBigUint64(1, BigInt(field));
    return out;
  }
  throw new CryptoError("invalid-argument");
}

/**
 * The canonical encoding of `label` and `fields` (layout above).
 * @throws CryptoError("invalid-argument") for a field that is not bytes, a string or a non-negative safe integer, or a label or field longer than 2^32 - 1 bytes
 */
export function encodeCanonical(label: string, fields: readonly CanonicalField[]): Uint8Array {
  const parts = [Uint8Array.from(magic), lengthPrefixed(0, utf8(label)).subarray(1), new Uint8Array(4)];
  new DataView(parts[2]!.buffer).setUint32(0, fields.length);
  for (const field of fields) parts.push(encodeField(field));
  const total = parts.reduce((sum, part) => sum + part.length, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/**
 * Strict inverse of encodeCanonical: any other byte string is refused.
 * @throws CryptoError("malformed") for a wrong magic, a length that runs past the end, an unknown tag, an integer above 2^53 - 1, bytes left over, or a label or string that is not UTF-8
 */
export function decodeCanonical(bytes: Uint8Array): { label: string; fields: CanonicalField[] } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = 0;
  const need = (count: number) => {
    if (offset + count > bytes.length) throw new CryptoError("malformed");
  };
  need(3);
  if (bytes[0] !== magic[0] || bytes[1] !== magic[1] || bytes[2] !== magic[2]) throw new CryptoError("malformed");
  offset = 3;
  const readData = () => {
    need(4);
    const length = view.getUint32(offset);
    offset += 4;
    need(length);
    const data = bytes.slice(offset, offset + length);
    offset += length;
    return data;
  };
  const label = fromUtf8(readData());
  need(4);
  const count = view.getUint32(offset);
  offset += 4;
  const fields: CanonicalField[] = [];
  for (let index = 0; index < count; index++) {
    need(1);
    const tag = bytes[offset++];
    if (tag === tagBytes) fields.push(readData());
    else if (tag === tagString) fields.push(fromUtf8(readData()));
    else if (tag === tagInteger) {
      need(8);
      const value = view.getBigUint64(offset);
      offset += 8;
      if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new CryptoError("malformed");
      fields.push(Number(value));
    } else throw new CryptoError("malformed");
  }
  if (offset !== bytes.length) throw new CryptoError("malformed");
  return { label, fields };
}
