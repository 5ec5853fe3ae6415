import type { BaseSubgraphContext } from '../../platform/subgraph/module.ts';
import type { SearchService } from './services/search.ts';

export interface DiscoveryServices {
  search: SearchService;
}

export interface DiscoveryContext extends BaseSubgraphContext, DiscoveryServices {}

export function createDiscoveryContext(base: BaseSubgraphContext, services: DiscoveryServices): DiscoveryContext {
  return { ...base, ...services };
}
