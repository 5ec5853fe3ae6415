/** `npm run compose`: writes schema/supergraph.graphql and schema/public.graphql, or prints why it cannot. */
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { compose, GENERATED_HEADER, loadSubgraphSources } from './composition.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const outcome = compose(await loadSubgraphSources(`${root}supergraph.yaml`));
if (!outcome.ok) {
  process.stderr.write(`Composition failed:\n${outcome.errors.map((e) => `  - ${e}`).join('\n')}\n`);
  process.exit(1);
}
await writeFile(`${root}schema/supergraph.graphql`, GENERATED_HEADER + outcome.supergraphSdl + '\n');
await writeFile(`${root}schema/public.graphql`, GENERATED_HEADER + outcome.publicSdl + '\n');
for (const hint of outcome.hints) process.stdout.write(`hint: ${hint}\n`);
process.stdout.write('Composed schema/supergraph.graphql and schema/public.graphql\n');
