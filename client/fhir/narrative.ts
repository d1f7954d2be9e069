/**
 * A FHIR Narrative's XHTML (`text.div`, FHIR R4 §2.4.0) reduced to plain words, for showing as
 * text: markup is never rendered, so an imported document's narrative cannot run or style
 * anything. Block elements and table cells become line breaks and spaces; the five XML
 * entities and numeric character references are decoded once.
 */
const entities: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: " " };

export function narrativeText(xhtml: string): string {
  const spaced = xhtml
    .replace(/<(script|style)[\s\S]*?<\/\1>/gi, "")
    .replace(/<\/(p|div|tr|li|h[1-6]|table|thead|tbody)>|<br\s*\/?>/gi, "\n")
    .replace(/<\/(td|th)>/gi, " ")
    .replace(/<[^>]*>/g, "");
  const decoded = spaced.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
    if (name.startsWith("#x") || name.startsWith("#X")) return safeCodePoint(parseInt(name.slice(2), 16)) ?? whole;
    if (name.startsWith("#")) return safeCodePoint(parseInt(name.slice(1), 10)) ?? whole;
    return entities[name.toLowerCase()] ?? whole;
  });
  return decoded
    .split("\n")
    .map((line) => line.replace(/[ \t\r]+/g, " ").trim())
    .filter(Boolean)
    .join("\n");
}

function safeCodePoint(code: number): string | undefined {
  return Number.isInteger(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : undefined;
}
