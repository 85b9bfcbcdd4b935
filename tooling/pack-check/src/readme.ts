/**
 * Readers for the root README's claims about the workspace — its package
 * table and the trainer's command list — and the checks that compare them
 * with what the repository holds. Pure functions on text, so a test can feed
 * them a wrong README and see the problem named.
 */

/** One row of the README's package table: the backticked name, its link, and the other cells. */
export interface PackageRow {
  name: string;
  link: string;
  cells: string[];
}

/** A package folder as the workspace has it: its package.json name and its path from the root. */
export interface WorkspacePackage {
  name: string;
  folder: string;
}

/** The text under `## <heading>`, up to the next second-level heading. */
export function section(markdown: string, heading: string): string {
  const start = markdown.indexOf(`\n## ${heading}\n`);
  if (start < 0) throw new Error(`README has no "## ${heading}" section`);
  const body = markdown.slice(start + heading.length + 5);
  const end = body.search(/\n## /);
  return end < 0 ? body : body.slice(0, end);
}

/** The rows of the table in the README's "Packages" section whose first cell is a link: [`name`](path). */
export function packageRows(markdown: string): PackageRow[] {
  const rows: PackageRow[] = [];
  for (const line of section(markdown, 'Packages').split('\n')) {
    if (!line.startsWith('|')) continue;
    const cells = line
      .slice(1, line.endsWith('|') ? -1 : undefined)
      .split('|')
      .map((cell) => cell.trim());
    const link = /^\[`([^`]+)`\]\(([^)]+)\)/.exec(cells[0] ?? '');
    if (link?.[1] && link[2]) rows.push({ name: link[1], link: link[2].replace(/\/$/, ''), cells });
  }
  return rows;
}

/** The command words a text names: backticked bare words (`train`, not `report.html`). */
export function backtickedWords(text: string): string[] {
  return [...text.matchAll(/`([a-z][a-z-]*)`/g)].map((match) => match[1] as string);
}

/** The commands run as `pnpm convkit <command>` in a text (a README's trainer examples). */
export function convkitInvocations(text: string): string[] {
  return [...new Set([...text.matchAll(/pnpm convkit ([a-z][a-z-]*)/g)].map((match) => match[1] as string))];
}

/** The CLI's command list, read from the source of apps/trainer/src/cli.ts (`const COMMANDS = [...]`). */
export function cliCommands(source: string): string[] {
  const list = /\bCOMMANDS\s*=\s*\[([^\]]*)\]/.exec(source)?.[1];
  if (list === undefined) throw new Error('apps/trainer/src/cli.ts declares no `COMMANDS = [...]` list');
  return [...list.matchAll(/'([^']+)'|"([^"]+)"/g)].map((match) => (match[1] ?? match[2]) as string);
}

/**
 * What is wrong with the package table: a workspace package with no row (or a
 * row that names it otherwise), a row whose link leads nowhere.
 */
export function tableProblems(
  rows: PackageRow[],
  packages: WorkspacePackage[],
  exists: (path: string) => boolean,
): string[] {
  const problems: string[] = [];
  for (const pkg of packages) {
    const row = rows.find((r) => r.link === pkg.folder);
    if (!row) problems.push(`${pkg.name} (${pkg.folder}) has no row in the README's package table`);
    else if (row.name !== pkg.name)
      problems.push(`the row linking to ${pkg.folder} names ${JSON.stringify(row.name)}, its package.json ${pkg.name}`);
  }
  for (const row of rows) {
    if (!exists(row.link)) problems.push(`the row for ${row.name} links to ${row.link}, which does not exist`);
  }
  return problems;
}

/** The difference between the commands a README lists (`where`) and the CLI's, `help` aside. */
export function commandProblems(where: string, listed: string[], cli: string[]): string[] {
  const wanted = cli.filter((command) => command !== 'help');
  return [
    ...wanted.filter((c) => !listed.includes(c)).map((c) => `${where} lacks the command ${JSON.stringify(c)}`),
    ...listed
      .filter((c) => c !== 'help' && !wanted.includes(c))
      .map((c) => `${where} lists ${JSON.stringify(c)}, which the CLI does not have`),
  ];
}

/** A dependency between two libraries, by short name: `from` imports `to` (`zoo` → `layers`). */
export type Edge = `${string} → ${string}`;

/**
 * The edges the README's "Dependencies point one way:" sentence draws: clauses
 * split by `;`, each a chain of groups joined by `←` (`shape` ← `layers`, `io`
 * says that layers and io import shape); a clause without `←` draws nothing.
 */
export function declaredEdges(markdown: string): Edge[] {
  const sentence = /Dependencies point one way: (.*)/.exec(section(markdown, 'Packages'))?.[1];
  if (sentence === undefined) throw new Error('README\'s "Packages" section has no "Dependencies point one way:" line');
  const edges: Edge[] = [];
  for (const clause of sentence.split(';')) {
    const groups = clause.split('←').map((group) => [...group.matchAll(/`([^`]+)`/g)].map((m) => m[1] as string));
    for (let i = 1; i < groups.length; i++) {
      for (const from of groups[i] ?? []) for (const to of groups[i - 1] ?? []) edges.push(`${from} → ${to}`);
    }
  }
  return [...new Set(edges)];
}

/** The difference between the edges the README draws and the workspace's, both ways. */
export function edgeProblems(declared: Edge[], actual: Edge[]): string[] {
  return [
    ...actual.filter((e) => !declared.includes(e)).map((e) => `the README's dependency line lacks ${e}`),
    ...declared
      .filter((e) => !actual.includes(e))
      .map((e) => `the README's dependency line draws ${e}, no such dependency`),
  ];
}
