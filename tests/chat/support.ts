/** A community with members, for chat tests. */
import { dataOf, request, signUpUser, type TestUser } from '../support/index.ts';
import { CreateCommunityFullDocument, CreateInviteDocument, JoinCommunityDocument } from '../generated/graphql.ts';

export interface Room {
  communityId: string;
  channelId: string;
  owner: TestUser;
  members: TestUser[];
}

export async function openRoom(url: string, memberNames: string[]): Promise<Room> {
  const owner = await signUpUser(url, 'Host');
  const community = dataOf(await request(url, CreateCommunityFullDocument, { input: { name: 'Chat room' } }, owner.token)).createCommunity;
  const code = dataOf(await request(url, CreateInviteDocument, { input: { communityId: community.id } }, owner.token)).createInvite.code;
  const members: TestUser[] = [];
  for (const name of memberNames) {
    const u = await signUpUser(url, name);
    dataOf(await request(url, JoinCommunityDocument, { code }, u.token));
    members.push(u);
  }
  return { communityId: community.id, channelId: community.channels[0]!.id, owner, members };
}
