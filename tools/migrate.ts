/**
 * `npm run migrate [-- <subgraph>...]`: applies pending migrations of every subgraph (or
 * the ones named) to DATABASE_URL, then exits. Subgraphs also migrate at start-up; this
 * is for deployments that migrate as a separate step.
 */
import { SUBGRAPH_NAMES, type SubgraphName } from '../platform/config.ts';
import { openDatabase } from '../platform/db/orm.ts';
import { bootConfig } from '../platform/process.ts';
import { subgraphDefinitions } from '../subgraphs/definitions.ts';

const { config, logger } = bootConfig('migrate');
if (!config.databaseUrl) {
  process.stderr.write('DATABASE_URL must be set (the embedded profile migrates when it starts).\n');
  process.exit(2);
}
const asked = process.argv.slice(2) as SubgraphName[];
const unknown = asked.filter((n) => !SUBGRAPH_NAMES.includes(n));
if (unknown.length) {
  process.stderr.write(`unknown subgraph(s): ${unknown.join(', ')}; choose from ${SUBGRAPH_NAMES.join(', ')}\n`);
  process.exit(2);
}
for (const name of asked.length ? asked : SUBGRAPH_NAMES) {
  const def = subgraphDefinitions[name];
  const db = await openDatabase({ url: config.databaseUrl, schema: name, entities: def.entities, migrations: def.migrations, logger, poolSize: 1 });
  await db.close();
  process.stdout.write(`${name}: up to date\n`);
}
