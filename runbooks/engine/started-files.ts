import { readFileSync } from "node:fs";
import path from "node:path";
import ts from "typescript";

// A runbook's provenance covers the files it declares in `executes`, and nothing checks that the
// declaration is complete: a runbook that starts `node practice-app/src/main.ts` without declaring
// it runs a file nobody hashed. This finds the checkout files a runbook's code names as something
// to start, so the catalog test can compare them with `executes`.
//
// The rule it reads: this checkout's files are named `path.join(REPO_ROOT, "…")` (or
// path.resolve). It follows the runbook file and, through relative imports, each top-level
// declaration the runbook uses, declaration to declaration, by name. A helper that only builds a
// path from a parameter (a release's own copy, `path.join(dir, "…")`) is not this checkout's file;
// when such a helper is called with REPO_ROOT, name it in `indirect`.

/** A helper that starts a checkout file without naming it with REPO_ROOT itself. */
export interface IndirectStart {
  /** The module, relative to the repository root (runbooks/deployment/_pool.ts). */
  module: string;
  /** The top-level declaration that starts the file. */
  name: string;
  /** The file it starts, relative to the repository root. */
  file: string;
}

const EXECUTABLE = /\.(?:[cm]?ts|[cm]?js)$/;

interface ParsedModule {
  /** Top-level declarations by name; "default" for `export default`. */
  declarations: Map<string, ts.Node[]>;
  /** Statements that declare nothing (they run when the module loads). */
  body: ts.Node[];
  /** Local name → the module and the name it was imported as ("*" for a namespace import). */
  imports: Map<string, { file: string; name: string }>;
}

function stringValue(node: ts.Node): string | null {
  return ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) ? node.text : null;
}

function parse(file: string): ParsedModule | null {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return null; // an import of a package's file or of a generated one: not ours to follow
  }
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const parsed: ParsedModule = { declarations: new Map(), body: [], imports: new Map() };
  const declare = (name: string, node: ts.Node) =>
    parsed.declarations.set(name, [...(parsed.declarations.get(name) ?? []), node]);
  for (const statement of source.statements) {
    if (ts.isImportDeclaration(statement)) {
      const spec = stringValue(statement.moduleSpecifier);
      const clause = statement.importClause;
      if (!spec?.startsWith(".") || !clause || clause.isTypeOnly) continue;
      const target = path.resolve(path.dirname(file), spec);
      if (clause.name) parsed.imports.set(clause.name.text, { file: target, name: "default" });
      const bindings = clause.namedBindings;
      if (bindings && ts.isNamespaceImport(bindings))
        parsed.imports.set(bindings.name.text, { file: target, name: "*" });
      if (bindings && ts.isNamedImports(bindings))
        for (const element of bindings.elements)
          if (!element.isTypeOnly)
            parsed.imports.set(element.name.text, {
              file: target,
              name: (element.propertyName ?? element.name).text,
            });
    } else if ((ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement)) && statement.name) {
      declare(statement.name.text, statement);
    } else if (ts.isVariableStatement(statement)) {
      for (const d of statement.declarationList.declarations)
        if (ts.isIdentifier(d.name)) declare(d.name.text, d);
    } else if (ts.isExportAssignment(statement)) {
      declare("default", statement);
    } else {
      parsed.body.push(statement);
    }
  }
  return parsed;
}

/** `path.join(REPO_ROOT, "a", "b.ts")` → "a/b.ts" when every other argument is a string. */
function checkoutFileNamed(node: ts.Node): string | null {
  if (!ts.isCallExpression(node) || !/^path\.(?:join|resolve)$/.test(node.expression.getText())) return null;
  const [first, ...rest] = node.arguments;
  if (!first || !ts.isIdentifier(first) || first.text !== "REPO_ROOT" || rest.length === 0) return null;
  const parts = rest.map(stringValue);
  if (parts.some((p) => p === null)) return null;
  const file = path.posix.join(...(parts as string[]));
  return EXECUTABLE.test(file) && !file.split("/").includes("node_modules") ? file : null;
}

/**
 * The checkout files (relative to the repository root, sorted) that the runbook file's code and
 * the declarations it uses from its local modules name as `path.join(REPO_ROOT, "….ts")`, plus
 * the `indirect` helpers it reaches.
 */
export function startedCheckoutFiles(
  runbookFile: string,
  repoRoot: string,
  indirect: readonly IndirectStart[] = [],
): string[] {
  const modules = new Map<string, ParsedModule | null>();
  const moduleOf = (file: string) => {
    if (!modules.has(file)) modules.set(file, parse(file));
    return modules.get(file) ?? null;
  };
  const memo = new Map<string, Set<string>>();

  const scan = (file: string, module: ParsedModule, nodes: readonly ts.Node[], found: Set<string>) => {
    const visit = (node: ts.Node) => {
      const named = checkoutFileNamed(node);
      if (named) found.add(named);
      if (ts.isIdentifier(node)) {
        const name = node.text;
        if (module.declarations.has(name)) for (const f of uses(file, name)) found.add(f);
        const imported = module.imports.get(name);
        if (imported) for (const f of uses(imported.file, imported.name)) found.add(f);
      }
      ts.forEachChild(node, visit);
    };
    for (const node of nodes) visit(node);
  };

  // What using `name` of `file` starts. A cycle contributes nothing more than what it already has.
  function uses(file: string, name: string): Set<string> {
    const key = `${file}#${name}`;
    const known = memo.get(key);
    if (known) return known;
    const found = new Set<string>();
    memo.set(key, found);
    const module = moduleOf(file);
    if (!module) return found;
    const relative = path.relative(repoRoot, file).split(path.sep).join("/");
    for (const entry of indirect) if (entry.module === relative && entry.name === name) found.add(entry.file);
    const nodes =
      name === "*" ? [...module.declarations.values()].flat() : (module.declarations.get(name) ?? []);
    scan(file, module, nodes, found);
    return found;
  }

  const runbook = moduleOf(runbookFile);
  if (!runbook) throw new Error(`cannot read ${runbookFile}`);
  const found = new Set<string>();
  scan(runbookFile, runbook, [...runbook.body, ...[...runbook.declarations.values()].flat()], found);
  return [...found].sort();
}

/** A runbook's `executes`, relative to the repository root (they are relative to the runbook file). */
export function declaredFiles(
  runbook: { file: string; executes?: readonly string[] },
  repoRoot: string,
): string[] {
  return (runbook.executes ?? [])
    .map((f) =>
      path
        .relative(repoRoot, path.resolve(path.dirname(runbook.file), f))
        .split(path.sep)
        .join("/"),
    )
    .sort();
}
