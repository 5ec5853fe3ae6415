import { defineEntity, p } from '@mikro-orm/core';
import { newId } from '../../../platform/ids.ts';
import { TRACK_VISIBILITIES } from './track.ts';

/** A playlist ("set"): an ordered list of tracks made by one user. */
export const PlaylistSchema = defineEntity({
  name: 'Playlist',
  tableName: 'playlists',
  properties: {
    id: p.uuid().primary().onCreate(() => newId()),
    ownerId: p.uuid().index(),
    title: p.string().length(200),
    description: p.text().nullable(),
    visibility: p.enum(TRACK_VISIBILITIES).nativeEnumName('track_visibility'),
    secretToken: p.string().length(32),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export class Playlist extends PlaylistSchema.class {}
PlaylistSchema.setClass(Playlist);
