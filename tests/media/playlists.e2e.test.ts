/** Playlists through the gateway: order, add, move, remove, and visibility for others. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeOf, dataOf, request, signUpUser, startTestVeza, type TestUser, type TestVeza } from '../support/index.ts';
import { AddPlaylistTracksDocument, CreatePlaylistDocument, MovePlaylistTrackDocument, PlaylistViewDocument, RemovePlaylistTrackDocument, RequestUploadDocument } from '../generated/graphql.ts';

describe('playlists', () => {
  let veza: TestVeza;
  let owner: TestUser;
  let tracks: string[];
  beforeAll(async () => {
    veza = await startTestVeza('production');
    owner = await signUpUser(veza.url, 'Curator');
    tracks = [];
    for (const title of ['One', 'Two', 'Three']) {
      tracks.push(dataOf(await request(veza.url, RequestUploadDocument, { input: { title, contentType: 'audio/flac', byteSize: 10 } }, owner.token)).requestTrackUpload.track.id);
    }
  });
  afterAll(async () => {
    await veza?.stop();
  });

  it('keeps an order the owner controls', async () => {
    const [a, b, c] = tracks as [string, string, string];
    const playlist = dataOf(await request(veza.url, CreatePlaylistDocument, { input: { title: 'Night drive', trackIds: [a, b, a] } }, owner.token)).createPlaylist;
    expect(playlist.tracks.edges.map((e) => e.node.id)).toEqual([a, b]);
    const added = dataOf(await request(veza.url, AddPlaylistTracksDocument, { playlistId: playlist.id, trackIds: [c, a], position: 0 }, owner.token)).addPlaylistTracks;
    expect(added.tracks.edges.map((e) => e.node.id)).toEqual([c, a, b]);
    const moved = dataOf(await request(veza.url, MovePlaylistTrackDocument, { playlistId: playlist.id, trackId: c, position: 2 }, owner.token)).movePlaylistTrack;
    expect(moved.tracks.edges.map((e) => e.node.id)).toEqual([a, b, c]);
    const removed = dataOf(await request(veza.url, RemovePlaylistTrackDocument, { playlistId: playlist.id, trackId: b }, owner.token)).removePlaylistTrack;
    expect(removed).toEqual({ trackCount: 2, tracks: { edges: [{ node: { id: a } }, { node: { id: c } }] } });
    expect(codeOf(await request(veza.url, MovePlaylistTrackDocument, { playlistId: playlist.id, trackId: a, position: 5 }, owner.token))).toBe('BAD_USER_INPUT');
  });

  it('shows others a public playlist without the tracks they may not see, and unlisted ones only with the secret', async () => {
    const other = await signUpUser(veza.url, 'Listener');
    const open = dataOf(await request(veza.url, CreatePlaylistDocument, { input: { title: 'Open', trackIds: tracks } }, owner.token)).createPlaylist;
    const view = dataOf(await request(veza.url, PlaylistViewDocument, { id: open.id }, other.token)).playlist;
    // The owner's tracks are not READY yet, so the listener sees the list but none of them.
    expect(view).toMatchObject({ title: 'Open', trackCount: 3, owner: { handle: owner.handle }, tracks: { edges: [] } });
    const hidden = dataOf(await request(veza.url, CreatePlaylistDocument, { input: { title: 'Hidden', visibility: 'UNLISTED' } }, owner.token)).createPlaylist;
    expect(dataOf(await request(veza.url, PlaylistViewDocument, { id: hidden.id }, other.token)).playlist).toBeNull();
    expect(dataOf(await request(veza.url, PlaylistViewDocument, { id: hidden.id, secretToken: hidden.secretToken }, other.token)).playlist?.title).toBe('Hidden');
    expect(codeOf(await request(veza.url, AddPlaylistTracksDocument, { playlistId: open.id, trackIds: [tracks[0]!] }, other.token))).toBe('NOT_FOUND');
  });
});
