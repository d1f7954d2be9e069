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

// Labels are a handful of constants: their UTF-8 bytes are made once (encodeCanonical runs several times per record).
const labelBytes = new Map<string, Uint8Array>();
const maxCachedLabels = 256;

/** Whether every UTF-16 unit of `text` is below 0x80 (so its UTF-8 is one byte per unit, the same values). */
function isAscii(text: string): boolean {
  for (let index = 0; index < text.length; index++) if (text.charCodeAt(index) > 0x7f) return false;
  return true;
}

function labelOf(label: string): Uint8Array {
  let bytes = labelBytes.get(label);
  if (!bytes) {
    bytes = utf8(label);
    if (labelBytes.size < maxCachedLabels) labelBytes.set(label, bytes);
  }
  return bytes;
}

/**
 * The canonical encoding of `label` and `fields` (layout above), written in one pass into one
 * array: sizes first, then every part in place (no array per field).
 * @throws CryptoError("invalid-argument") for a field that is not bytes, a string or a non-negative safe integer, or a label or field longer than 2^32 - 1 bytes
 */
export function encodeCanonical(label: string, fields: readonly CanonicalField[]): Uint8Array {
  const name = labelOf(label);
  if (name.length > maxLength) throw new CryptoError("invalid-argument");
  // Strings are encoded to UTF-8 once, in the sizing pass, and copied in the writing pass; an
  // ASCII string (ids, codes: nearly all of them) is its own UTF-8 and is written as it is.
  const data: Array<Uint8Array | string | null> = new Array(fields.length);
  let total = 3 + 4 + name.length + 4;
  for (let index = 0; index < fields.length; index++) {
    const field = fields[index];
    let length: number;
    if (field instanceof Uint8Array) length = (data[index] = field).length;
    else if (typeof field === "string") {
      const bytes = isAscii(field) ? field : utf8(field);
      length = (data[index] = bytes).length;
    } else if (typeof field === "number" && Number.isSafeInteger(field) && field >= 0) {
      data[index] = null;
      total += 9;
      continue;
    } else throw new CryptoError("invalid-argument");
    if (length > maxLength) throw new CryptoError("invalid-argument");
    total += 5 + length;
  }
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  out.set(magic, 0);
  view.setUint32(3, name.length);
  out.set(name, 7);
  let offset = 7 + name.length;
  view.setUint32(offset, fields.length);
  offset += 4;
  for (let index = 0; index < fields.length; index++) {
    const bytes = data[index];
    if (bytes !== null && bytes !== undefined) {
      out[offset] = fields[index] instanceof Uint8Array ? tagBytes : tagString;
      view.setUint32(offset + 1, bytes.length);
      if (typeof bytes === "string") for (let char = 0; char < bytes.length; char++) out[offset + 5 + char] = bytes.charCodeAt(char);
      else out.set(bytes, offset + 5);
      offset += 5 + bytes.length;
    } else {
      const value = fields[index] as number;
      out[offset] = tagInteger;
      // A safe integer is below 2^53: high and low 32-bit words, without a BigInt per field.
      view.setUint32(offset + 1, Math.floor(value / 0x100000000));
      view.setUint32(offset + 5, value >>> 0);
      offset += 9;
    }
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
