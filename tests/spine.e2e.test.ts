/**
 * The spine, end to end through the gateway, in both profiles: the same cross-subgraph
 * operations against the embedded profile (PGlite, in-process bus, s3rver) and the
 * production adapters (PostgreSQL, Redis, an S3 endpoint).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataOf, request, startTestVeza, uniqueName, type Profile, type TestVeza } from './support/index.ts';
import {
  ChannelPageDocument,
  CreateCommunityDocument,
  FollowDocument,
  MeDocument,
  ProfileDocument,
  RequestTrackUploadDocument,
  SearchDocument,
  SendMessageDocument,
  SignInDocument,
  SignUpDocument,
  TrackWithOwnerDocument,
} from './generated/graphql.ts';

const PROFILES: Profile[] = ['embedded', 'production'];

describe.each(PROFILES)('spine through the gateway (%s profile)', (profile) => {
  let veza: TestVeza;
  beforeAll(async () => {
    veza = await startTestVeza(profile);
  });
  afterAll(async () => {
    await veza?.stop();
  });

  async function signUp(displayName: string) {
    const handle = uniqueName(displayName.toLowerCase().replace(/[^a-z0-9_]/g, '')).slice(0, 32);
    const res = await request(veza.url, SignUpDocument, { input: { handle, displayName, password: 'a long passphrase' } });
    const { signUp } = dataOf(res);
    return { token: signUp.accessToken, id: signUp.user.id, handle };
  }

  it('resolves a message author across subgraphs (chat → community → social, media)', async () => {
    const alice = await signUp('Alice');
    const { createCommunity } = dataOf(await request(veza.url, CreateCommunityDocument, { name: 'Night Owls' }, alice.token));
    const general = createCommunity.channels.find((c) => c.name === 'general');
    expect(general?.type).toBe('TEXT');
    expect(createCommunity.owner.displayName).toBe('Alice');

    const sent = dataOf(
      await request(veza.url, SendMessageDocument, { input: { channelId: general!.id, body: 'first!' } }, alice.token),
    ).sendMessage;
    expect(sent.author).toEqual({ id: alice.id, displayName: 'Alice' });
    expect(sent.position).toBe(1);
    dataOf(await request(veza.url, SendMessageDocument, { input: { channelId: general!.id, body: 'second' } }, alice.token));

    const page = dataOf(await request(veza.url, ChannelPageDocument, { channelId: general!.id, first: 10 }, alice.token));
    expect(page.channel?.community.name).toBe('Night Owls');
    expect(page.channel?.messages.edges.map((e) => [e.node.position, e.node.body, e.node.author.handle])).toEqual([
      [1, 'first!', alice.handle],
      [2, 'second', alice.handle],
    ]);
  });

  it('resolves a track owner with fields from three subgraphs, and follows', async () => {
    const bob = await signUp('Bob');
    const carol = await signUp('Carol');
    const upload = dataOf(
      await request(
        veza.url,
        RequestTrackUploadDocument,
        { input: { title: 'Slow Tide', contentType: 'audio/mpeg', byteSize: 1234 } },
        bob.token,
      ),
    ).requestTrackUpload;
    expect(upload.track.status).toBe('UPLOADING');
    expect(upload.track.owner).toEqual({ id: bob.id, handle: bob.handle, displayName: 'Bob' });
    // The presigned URL takes a real upload on the object store.
    const put = await fetch(upload.uploadUrl, { method: 'PUT', body: new Uint8Array(1234), headers: { 'content-type': 'audio/mpeg' } });
    expect(put.status).toBe(200);

    const follow = dataOf(await request(veza.url, FollowDocument, { userId: bob.id }, carol.token)).follow;
    expect(follow).toEqual({ id: bob.id, followerCount: 1, viewerFollows: true });

    const track = dataOf(await request(veza.url, TrackWithOwnerDocument, { id: upload.track.id }, bob.token)).track;
    expect(track?.owner.displayName).toBe('Bob');
    expect(track?.owner.followerCount).toBe(1);
    expect(track?.owner.tracks.edges.map((e) => e.node.title)).toEqual(['Slow Tide']);

    const profilePage = dataOf(await request(veza.url, ProfileDocument, { handle: bob.handle.toUpperCase() }, carol.token));
    expect(profilePage.userByHandle?.followers.edges.map((e) => e.node.handle)).toEqual([carol.handle]);
    // Carol is not the owner, and the track is not READY yet: she does not see it.
    expect(profilePage.userByHandle?.tracks.edges).toEqual([]);
  });

  it('indexes new users for search through the event bus', async () => {
    const dana = await signUp('Danaë Ørsted');
    const found = async (query: string) => {
      const res = dataOf(await request(veza.url, SearchDocument, { query, kinds: ['USER'] }));
      return res.search.edges.map((e) => (e.node.__typename === 'User' ? e.node.handle : null));
    };
    // Indexing happens when discovery consumes the event, shortly after sign-up: poll for it.
    await expect.poll(() => found(dana.handle)).toContain(dana.handle);
    expect(await found('danaë ørs')).toContain(dana.handle);
    expect(await found('zzzz-nobody')).toEqual([]);
  });

  it('signs in case-insensitively and identifies the caller', async () => {
    const erin = await signUp('Erin');
    const signIn = dataOf(await request(veza.url, SignInDocument, { input: { handle: erin.handle.toUpperCase(), password: 'a long passphrase' } }));
    const me = dataOf(await request(veza.url, MeDocument, {}, signIn.signIn.accessToken));
    expect(me.me?.id).toBe(erin.id);
    const anonymous = dataOf(await request(veza.url, MeDocument, {}));
    expect(anonymous.me).toBeNull();
  });
});
