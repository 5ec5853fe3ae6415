/**
 * Live triggers that more than one subgraph knows by name. (A subgraph's own triggers,
 * such as chat's per-channel ones, are named by that subgraph.)
 */
import type { EventTopics } from './bus.ts';

/**
 * Community announces here every change of who may do what, besides the event bus: the
 * bus hands each event to one replica per consuming subgraph, while every replica holding
 * a live subscription must re-check it. `prefix` is the deployment's Redis prefix.
 */
export function permissionsChangedTrigger(prefix: string): string {
  return `${prefix}community.permissions.changed`;
}

export type PermissionsChanged = EventTopics['community.permissions.changed'];
