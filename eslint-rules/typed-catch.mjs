// Browser code (client/ and "use client" modules) must not swallow errors it did not mean to
// catch: a bare `catch {}` turns a programming error into whatever the catch says (once, a
// tamper warning shown to patients). Every catch binds what it caught and looks at it (a type
// check, a rethrow, a describeFailure call); a promise's `.catch(handler)` likewise takes the
// error and uses it. Tests are exempt: they catch to assert.
const ruleFor = (isBrowserFile) => ({
  meta: {
    type: "problem",
    docs: { description: "Forbid catches in browser code that do not look at what they caught" },
    messages: {
      bare: "This catch swallows every error, bugs included. Bind the error and let only the kind you expect through (e.g. `if (!isIntegrityError(error)) throw error;`).",
      unused: "This catch never looks at '{{name}}': a bug would be handled like the failure you meant. Check its type and rethrow the rest.",
      bareHandler:
        "This .catch() handler ignores the error: a bug would be handled like the failure you meant. Take the error and check its type (or use describeFailure).",
    },
    schema: [],
  },
  create(context) {
    const relative = context.physicalFilename
      .slice(context.cwd.length + 1)
      .split("\\")
      .join("/");
    if (/\.test\.tsx?$/.test(relative)) return {};
    let browser = isBrowserFile(relative);
    const unusedParam = (node, param) => {
      if (param.type !== "Identifier") return false;
      const [variable] = context.sourceCode.getDeclaredVariables(node).filter((candidate) => candidate.name === param.name);
      return variable !== undefined && variable.references.length === 0;
    };
    const checks = [];
    return {
      Program(program) {
        for (const statement of program.body) {
          if (statement.type !== "ExpressionStatement" || typeof statement.directive !== "string") break;
          if (statement.directive === "use client") browser = true;
        }
      },
      CatchClause(node) {
        checks.push(() => {
          if (!node.param) context.report({ node, messageId: "bare" });
          else if (unusedParam(node, node.param)) context.report({ node, messageId: "unused", data: { name: node.param.name } });
        });
      },
      CallExpression(node) {
        const callee = node.callee;
        if (callee.type !== "MemberExpression" || callee.property.type !== "Identifier" || callee.property.name !== "catch") return;
        const handler = node.arguments[0];
        if (!handler || (handler.type !== "ArrowFunctionExpression" && handler.type !== "FunctionExpression")) return;
        checks.push(() => {
          if (handler.params.length === 0) context.report({ node: handler, messageId: "bareHandler" });
          else if (unusedParam(handler, handler.params[0])) context.report({ node: handler, messageId: "bareHandler" });
        });
      },
      "Program:exit"() {
        if (browser) for (const check of checks) check();
      },
    };
  },
});

/** Files under client/ are browser code whatever their directive. */
const rule = ruleFor((relative) => relative.startsWith("client/"));

export default rule;
