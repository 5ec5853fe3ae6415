/**
 * `node tools/new-migration.ts <subgraph> <Name>`: writes the next migration of a
 * subgraph from the difference between its migrations and its entities (see
 * tools/schema-sql.ts), and registers it in the subgraph's migrations/index.ts.
 * Read the SQL before committing it: it is a starting point, not a verdict.
 */
import { execFileSync } from 'node:child_process';
import { readdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const [subgraph, name] = process.argv.slice(2);
if (!subgraph || !name || !/^[A-Z][A-Za-z0-9]+$/.test(name)) {
  process.stderr.write('usage: node tools/new-migration.ts <subgraph> <PascalCaseName>\n');
  process.exit(2);
}
const root = fileURLToPath(new URL('..', import.meta.url));
const sql = execFileSync(process.execPath, [`${root}tools/schema-sql.ts`, subgraph], { encoding: 'utf8' }).trim();
if (!sql) {
  process.stdout.write(`${subgraph}: entities and migrations already agree; nothing to write.\n`);
  process.exit(0);
}
const dir = `${root}subgraphs/${subgraph}/migrations`;
const existing = (await readdir(dir)).filter((f) => /^\d{4}-/.test(f)).sort();
const number = String(existing.length + 1).padStart(4, '0');
const file = `${number}-${name}.ts`;
const statements = sql
  .split(/;\s*\n/)
  .map((s) => s.trim().replace(/;$/, ''))
  .filter(Boolean);
const body = `import { Migration } from '@mikro-orm/migrations';

export class ${name} extends Migration {
  override name = '${number}-${name}';

  override up(): void {
${statements.map((s) => `    this.addSql(${JSON.stringify(s)});`).join('\n')}
  }
}
`;
await writeFile(`${dir}/${file}`, body);
const all = [...existing, file];
const index = `// The subgraph's migrations, oldest first. New ones: node tools/new-migration.ts ${subgraph} <Name>
import type { MigrationObject } from '@mikro-orm/core';
${all.map((f, i) => `import { ${f.replace(/^\d{4}-/, '').replace(/\.ts$/, '')} as M${i + 1} } from './${f}';`).join('\n')}

export const migrations: MigrationObject[] = [
${all.map((f, i) => `  { name: '${f.replace(/\.ts$/, '')}', class: M${i + 1} },`).join('\n')}
];
`;
await writeFile(`${dir}/index.ts`, index);
process.stdout.write(`wrote subgraphs/${subgraph}/migrations/${file}\n`);
