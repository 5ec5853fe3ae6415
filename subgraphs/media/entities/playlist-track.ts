import { defineEntity, p } from '@mikro-orm/core';
import { Playlist } from './playlist.ts';
import { Track } from './track.ts';

/** A track's place in a playlist (positions are dense: 0, 1, 2...). */
export const PlaylistTrackSchema = defineEntity({
  name: 'PlaylistTrack',
  tableName: 'playlist_tracks',
  properties: {
    playlist: () => p.manyToOne(Playlist).ref().primary().deleteRule('cascade'),
    track: () => p.manyToOne(Track).ref().primary().index().deleteRule('cascade'),
    position: p.integer(),
    addedAt: p.datetime().onCreate(() => new Date()),
  },
});
export class PlaylistTrack extends PlaylistTrackSchema.class {}
PlaylistTrackSchema.setClass(PlaylistTrack);
