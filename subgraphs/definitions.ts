/**
 * Every subgraph, by name: its entities and migrations (for tools) and how to build its
 * module. The embedded profile starts them all; `npm run start:subgraph -- <name>` one.
 */
import type { SubgraphName } from '../platform/config.ts';
import type { SubgraphModule, BaseSubgraphContext } from '../platform/subgraph/module.ts';
import type { MigrationObject, EntityClass, EntitySchema, AnyEntity } from '@mikro-orm/core';
import * as community from './community/index.ts';
import * as chat from './chat/index.ts';
import * as media from './media/index.ts';
import * as social from './social/index.ts';
import * as discovery from './discovery/index.ts';

/** What building a subgraph module may need beyond the platform services. */
export interface SubgraphDeps {
  /** Ed25519 private key (PKCS#8 PEM) that signs access tokens; only the community subgraph gets it. */
  signingKey: string;
}

export interface SubgraphDefinition {
  entities: readonly (EntityClass<AnyEntity> | EntitySchema)[];
  migrations: readonly MigrationObject[];
  create(deps: SubgraphDeps): SubgraphModule<BaseSubgraphContext, unknown>;
}

// Each module's own context and services types widen to the common shape the runtime
// needs; each module stays fully typed inside its folder.
const erase = <C extends BaseSubgraphContext, S>(m: SubgraphModule<C, S>): SubgraphModule<BaseSubgraphContext, unknown> => m;

export const subgraphDefinitions: Record<SubgraphName, SubgraphDefinition> = {
  community: { entities: community.entities, migrations: community.migrations, create: (d) => erase(community.communitySubgraph(d)) },
  chat: { entities: chat.entities, migrations: chat.migrations, create: () => erase(chat.chatSubgraph()) },
  media: { entities: media.entities, migrations: media.migrations, create: () => erase(media.mediaSubgraph()) },
  social: { entities: social.entities, migrations: social.migrations, create: () => erase(social.socialSubgraph()) },
  discovery: { entities: discovery.entities, migrations: discovery.migrations, create: () => erase(discovery.discoverySubgraph()) },
};
