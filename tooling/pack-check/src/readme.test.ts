import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  backtickedWords,
  cliCommands,
  commandProblems,
  convkitInvocations,
  declaredEdges,
  type Edge,
  edgeProblems,
  packageRows,
  section,
  tableProblems,
} from './readme.js';
import { ROOT, workspacePackages } from './workspace.js';

const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const CLI = readFileSync(join(ROOT, 'apps/trainer/src/cli.ts'), 'utf8');

// A README in the shape of the real one, small enough to know every answer by hand.
const SAMPLE = `# x

## Packages

| package | what it does | status |
|---|---|---|
| [\`@convkit/shape\`](packages/shape) | shape math | ready |
| [\`@convkit/gone\`](packages/gone) | removed since | ready |
| [\`convkit\`](apps/trainer) (app) | the command line: \`train\`, \`eval\`; run folders and \`report.html\` | ready |

Dependencies point one way: \`shape\` ← \`layers\`, \`io\` ← \`train\`; \`io\` ← \`data\`; the app uses them all.

## The trainer

\`\`\`sh
pnpm convkit train lenet5 --data mnist
pnpm convkit models; pnpm convkit backends
\`\`\`

## Contributing
`;

describe('README readers', () => {
  it('reads the package table: name, link and cells of each linked row', () => {
    const rows = packageRows(SAMPLE);
    expect(rows.map((r) => [r.name, r.link])).toEqual([
      ['@convkit/shape', 'packages/shape'],
      ['@convkit/gone', 'packages/gone'],
      ['convkit', 'apps/trainer'],
    ]);
    expect(backtickedWords(rows[2]?.cells[1] ?? '')).toEqual(['train', 'eval']);
  });

  it('reads the trainer section up to the next heading', () => {
    expect(convkitInvocations(section(SAMPLE, 'The trainer'))).toEqual(['train', 'models', 'backends']);
    expect(() => section(SAMPLE, 'Missing')).toThrow('README has no "## Missing" section');
  });

  it("reads the CLI's COMMANDS list from its source", () => {
    expect(cliCommands("const COMMANDS = ['train', 'eval', \"help\"];")).toEqual(['train', 'eval', 'help']);
    expect(() => cliCommands('const OTHER = [];')).toThrow('declares no `COMMANDS = [...]` list');
  });

  it('names a package without a row, a row under another name, and a link that leads nowhere', () => {
    const packages = [
      { name: '@convkit/shape', folder: 'packages/shape' },
      { name: '@convkit/io', folder: 'packages/io' },
    ];
    const exists = (path: string) => path !== 'packages/gone';
    expect(tableProblems(packageRows(SAMPLE), packages, exists)).toEqual([
      "@convkit/io (packages/io) has no row in the README's package table",
      'the row for @convkit/gone links to packages/gone, which does not exist',
    ]);
    const renamed = [{ name: '@convkit/shapes', folder: 'packages/shape' }];
    expect(tableProblems(packageRows(SAMPLE), renamed, () => true)).toEqual([
      'the row linking to packages/shape names "@convkit/shape", its package.json @convkit/shapes',
    ]);
  });

  it('reads the dependency line as edges and names the missing and the false ones', () => {
    const declared = declaredEdges(SAMPLE);
    expect(declared).toEqual(['layers → shape', 'io → shape', 'train → layers', 'train → io', 'data → io']);
    expect(
      edgeProblems(declared, ['layers → shape', 'io → shape', 'train → layers', 'train → io', 'viz → io']),
    ).toEqual([
      "the README's dependency line lacks viz → io",
      "the README's dependency line draws data → io, no such dependency",
    ]);
  });

  it('names a command missing from a list and one the CLI does not have', () => {
    expect(commandProblems('the table', ['train', 'fly'], ['train', 'export', 'help'])).toEqual([
      'the table lacks the command "export"',
      'the table lists "fly", which the CLI does not have',
    ]);
  });
});

describe('the root README matches the workspace', () => {
  const rows = packageRows(README);

  it('has a row for every package under packages/, and every row links to a folder that exists', () => {
    const packages = workspacePackages().map(({ name, folder }) => ({ name, folder }));
    expect(packages.length).toBeGreaterThan(0);
    expect(tableProblems(rows, packages, (path) => existsSync(join(ROOT, path)))).toEqual([]);
  });

  it('draws every dependency between the libraries, and no other', () => {
    const libs = workspacePackages().filter((pkg) => !pkg.manifest.private);
    const short = (name: string) => name.replace('@convkit/', '');
    // What a library needs installed beside it: dependencies and required peers (an optional peer is an adapter).
    const actual = libs.flatMap((lib) => {
      const { dependencies = {}, peerDependencies = {}, peerDependenciesMeta = {} } = lib.manifest;
      const required = Object.keys(peerDependencies).filter((name) => !peerDependenciesMeta[name]?.optional);
      return [...Object.keys(dependencies), ...required]
        .filter((name) => libs.some((other) => other.name === name))
        .map((name): Edge => `${short(lib.name)} → ${short(name)}`);
    });
    expect(actual.length).toBeGreaterThan(0);
    expect(edgeProblems(declaredEdges(README), actual)).toEqual([]);
  });

  it("lists the trainer's commands as the CLI has them, in the table and in the trainer section", () => {
    const cli = cliCommands(CLI);
    const trainerRow = rows.find((row) => row.link === 'apps/trainer');
    expect(trainerRow, 'the package table has a row for apps/trainer').toBeDefined();
    expect([
      ...commandProblems('the package table', backtickedWords(trainerRow?.cells[1] ?? ''), cli),
      ...commandProblems('"The trainer" section', convkitInvocations(section(README, 'The trainer')), cli),
    ]).toEqual([]);
  });
});
