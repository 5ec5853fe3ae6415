import { defineEntity, p } from '@mikro-orm/core';
import { newId } from '../../../platform/ids.ts';

export const TRACK_STATUSES = ['UPLOADING', 'PROCESSING', 'READY', 'FAILED'] as const;
export const TRACK_VISIBILITIES = ['PUBLIC', 'UNLISTED', 'PRIVATE'] as const;
export type TrackStatus = (typeof TRACK_STATUSES)[number];
export type TrackVisibility = (typeof TRACK_VISIBILITIES)[number];

/** An audio track. `ownerId` is a user of the community subgraph. */
export const TrackSchema = defineEntity({
  name: 'Track',
  tableName: 'tracks',
  properties: {
    id: p.uuid().primary().onCreate(() => newId()),
    ownerId: p.uuid().index(),
    title: p.string().length(200),
    description: p.text().nullable(),
    status: p.enum(TRACK_STATUSES).nativeEnumName('track_status'),
    visibility: p.enum(TRACK_VISIBILITIES).nativeEnumName('track_visibility'),
    failureReason: p.text().nullable(),
    /** Object-store key of the uploaded original. */
    originalKey: p.string().length(200),
    /** Declared MIME type and size of the original, checked when the upload completes. */
    contentType: p.string().length(100),
    byteSize: p.bigint('number'),
    durationSeconds: p.double().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export class Track extends TrackSchema.class {}
TrackSchema.setClass(Track);
