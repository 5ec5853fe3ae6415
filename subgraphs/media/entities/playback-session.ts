import { defineEntity, p } from '@mikro-orm/core';
import { newId } from '../../../platform/ids.ts';
import { Track } from './track.ts';

/**
 * One listener playing one track. A play is counted once per session, when the listener
 * has heard 30 seconds (or the whole of a shorter track).
 */
export const PlaybackSessionSchema = defineEntity({
  name: 'PlaybackSession',
  tableName: 'playback_sessions',
  properties: {
    id: p.uuid().primary().onCreate(() => newId()),
    track: () => p.manyToOne(Track).ref().index().deleteRule('cascade'),
    listenerId: p.uuid().nullable(),
    startedAt: p.datetime().onCreate(() => new Date()),
    lastHeartbeatAt: p.datetime().onCreate(() => new Date()),
    /** Seconds heard, from heartbeats (capped by the time that really passed). */
    listenedSeconds: p.double().$type<number>(),
    counted: p.boolean(),
    endedAt: p.datetime().nullable(),
  },
});
export class PlaybackSession extends PlaybackSessionSchema.class {}
PlaybackSessionSchema.setClass(PlaybackSession);
