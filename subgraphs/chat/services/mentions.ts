/**
 * Mentions in a message body, in Discord's syntax: `<@userId>` for a user, `<@&roleId>`
 * for a role, and `@everyone` / `@here` for everyone in the channel (which only counts
 * for senders with MENTION_EVERYONE).
 */
const USER = /<@!?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})>/g;
const ROLE = /<@&([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})>/g;
const EVERYONE = /(^|[^\w<])@(everyone|here)\b/;

export interface Mentions {
  userIds: string[];
  roleIds: string[];
  everyone: boolean;
}

/** At most this many distinct users and roles count as mentioned in one message. */
export const MAX_MENTIONS = 50;

export function parseMentions(body: string): Mentions {
  const userIds = [...new Set([...body.matchAll(USER)].map((m) => m[1]!))].slice(0, MAX_MENTIONS);
  const roleIds = [...new Set([...body.matchAll(ROLE)].map((m) => m[1]!))].slice(0, MAX_MENTIONS);
  return { userIds, roleIds, everyone: EVERYONE.test(body) };
}
