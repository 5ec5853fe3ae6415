/** Rule: the committed composed schemas and generated types match their sources. */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { buildSchema, isObjectType, isInterfaceType, isInputObjectType, isEnumType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { compose, GENERATED_HEADER, loadSubgraphSources } from '../schema/composition.ts';

const root = fileURLToPath(new URL('..', import.meta.url));

describe('composition', () => {
  it('schema/supergraph.graphql and schema/public.graphql are up to date (run `npm run compose`)', async () => {
    const outcome = compose(await loadSubgraphSources(`${root}supergraph.yaml`));
    if (!outcome.ok) throw new Error(outcome.errors.join('\n'));
    expect(await readFile(`${root}schema/supergraph.graphql`, 'utf8')).toBe(GENERATED_HEADER + outcome.supergraphSdl + '\n');
    expect(await readFile(`${root}schema/public.graphql`, 'utf8')).toBe(GENERATED_HEADER + outcome.publicSdl + '\n');
  });

  it('reports composition errors instead of producing a supergraph', async () => {
    const sources = await loadSubgraphSources(`${root}supergraph.yaml`);
    const broken = sources.map((s) =>
      s.name === 'media' ? { ...s, sdl: s.sdl.replace('title: String!', 'title: Int!') + '\ntype Channel @key(fields: "id") { id: ID! name: Int! }' } : s,
    );
    const outcome = compose(broken);
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) expect(outcome.errors.join('\n')).toMatch(/Channel\.name/);
  });

  it('describes every type, field, argument and enum value of the public API', async () => {
    const schema = buildSchema(await readFile(`${root}schema/public.graphql`, 'utf8'));
    const missing: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (type.name.startsWith('__') || ['String', 'Int', 'Float', 'Boolean', 'ID'].includes(type.name)) continue;
      if (!type.description) missing.push(type.name);
      if (isObjectType(type) || isInterfaceType(type)) {
        for (const field of Object.values(type.getFields())) {
          if (!field.description) missing.push(`${type.name}.${field.name}`);
          for (const arg of field.args) if (!arg.description) missing.push(`${type.name}.${field.name}(${arg.name})`);
        }
      }
      if (isInputObjectType(type)) {
        for (const field of Object.values(type.getFields())) if (!field.description) missing.push(`${type.name}.${field.name}`);
      }
      if (isEnumType(type)) for (const v of type.getValues()) if (!v.description) missing.push(`${type.name}.${v.name}`);
    }
    expect(missing).toEqual([]);
  });
});

describe('codegen', () => {
  it('generated resolver and document types are up to date (run `npm run codegen`)', async () => {
    const bin = `${root}node_modules/.bin/graphql-codegen`;
    const result = await promisify(execFile)(bin, ['--config', 'codegen.ts', '--check'], { cwd: root }).then(
      () => ({ ok: true, output: '' }),
      (err: { stdout?: string; stderr?: string }) => ({ ok: false, output: `${err.stdout ?? ''}${err.stderr ?? ''}` }),
    );
    expect(result.ok, result.output).toBe(true);
  });
});
