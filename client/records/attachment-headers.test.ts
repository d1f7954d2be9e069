import { describe, expect, it } from "vitest";
import { asciiFileName, attachmentHeaders, extendedFileName } from "./attachment-headers";

describe("attachment headers (RFC 6266, RFC 5987)", () => {
  it("percent-encodes every UTF-8 byte outside attr-char in filename*", () => {
    expect(extendedFileName("résumé 2024.pdf")).toBe("UTF-8''r%C3%A9sum%C3%A9%202024.pdf");
    // encodeURIComponent leaves ' ( ) * alone; attr-char does not allow them.
    expect(extendedFileName("a'b(c)*d;e\"f%g")).toBe("UTF-8''a%27b%28c%29%2Ad%3Be%22f%25g");
    expect(extendedFileName("検査.png")).toBe("UTF-8''%E6%A4%9C%E6%9F%BB.png");
    expect(extendedFileName("x😀")).toBe("UTF-8''x%F0%9F%98%80");
  });

  it("keeps the plain filename printable ASCII with nothing to escape in its quotes", () => {
    expect(asciiFileName("résumé.pdf")).toBe("r_sum_.pdf");
    expect(asciiFileName('a"b\\c%d.txt')).toBe("a_b_c_d.txt");
    expect(asciiFileName("line\r\nbreak")).toBe("line__break");
    expect(asciiFileName("x😀")).toBe("x_");
  });

  it("makes a download of the file's name and size, never typed for the browser to render", () => {
    const headers = new Headers(attachmentHeaders('Röntgen "knee".png', 1234));
    expect(headers.get("content-disposition")).toBe(`attachment; filename="R_ntgen _knee_.png"; filename*=UTF-8''R%C3%B6ntgen%20%22knee%22.png`);
    expect(headers.get("content-type")).toBe("application/octet-stream");
    expect(headers.get("x-content-type-options")).toBe("nosniff");
    expect(headers.get("content-length")).toBe("1234");
  });

  it("leaves the length out when unknown, and never offers an empty name", () => {
    const headers = new Headers(attachmentHeaders("  ", null));
    expect(headers.has("content-length")).toBe(false);
    expect(headers.get("content-disposition")).toBe(`attachment; filename="download"; filename*=UTF-8''download`);
  });

  it("cannot be made to carry another header line", () => {
    // Headers refuses CR and LF in a value; the name's are turned into "_" and %0D%0A before that.
    expect(() => new Headers(attachmentHeaders("a\r\nset-cookie: x=1", 1))).not.toThrow();
    expect(new Headers(attachmentHeaders("a\r\nset-cookie: x=1", 1)).has("set-cookie")).toBe(false);
  });
});
