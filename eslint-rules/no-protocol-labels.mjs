// Protocol labels (the "hsc/v1/…" strings that domain-separate every hash, signature and
// associated data) belong to crypto/ alone: a label written elsewhere is a protocol detail
// that escaped, and a second copy of it can drift from the first without any test noticing.
// Code outside crypto/ calls the crypto/ function that uses the label instead.
const labelPattern = /^hsc\/v\d+\//;

const rule = {
  meta: {
    type: "problem",
    docs: { description: "Forbid protocol labels (hsc/vN/…) outside crypto/" },
    messages: {
      label: "'{{text}}' is a protocol label: only crypto/ may spell one. Call the crypto/ function that uses it (crypto/README.md lists every label).",
    },
    schema: [],
  },
  create(context) {
    const report = (node, text) => context.report({ node, messageId: "label", data: { text: text.length > 40 ? `${text.slice(0, 40)}…` : text } });
    return {
      Literal(node) {
        if (typeof node.value === "string" && labelPattern.test(node.value)) report(node, node.value);
      },
      TemplateLiteral(node) {
        const head = node.quasis[0]?.value.cooked ?? node.quasis[0]?.value.raw ?? "";
        if (labelPattern.test(head)) report(node, head);
      },
    };
  },
};

export default rule;
