import { describe, expect, it } from "vitest";
import { narrativeText } from "./narrative";

describe("narrative as text", () => {
  it("keeps the words and drops markup, scripts and styles", () => {
    const hostile = `<div xmlns="http://www.w3.org/1999/xhtml"><script>alert(1)</script><style>p{}</style><p>Hi &amp; bye &lt;b&gt;</p><img src=x onerror="alert(2)"/><table><tr><td>Flu</td><td>2020</td></tr></table></div>`;
    expect(narrativeText(hostile)).toBe("Hi & bye <b>\nFlu 2020");
  });

  it("decodes numeric references once, and leaves invalid ones as written", () => {
    expect(narrativeText("<p>caf&#233; &#x2713; &#0; &amp;lt;</p>")).toBe("café ✓ &#0; &lt;");
  });
});
