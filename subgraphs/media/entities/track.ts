import { defineEntity, p } from '@mikro-orm/core';
import { newId } from '../../../platform/ids.ts';

export const TRACK_STATUSES = ['UPLOADING', 'PROCESSING', 'READY', 'FAILED'] as const;
export const TRACK_VISIBILITIES = ['PUBLIC', 'UNLISTED', 'PRIVATE'] as const;
export type TrackStatus = (typeof TRACK_STATUSES)[number];
export type TrackVisibility = (typeof TRACK_VISIBILITIES)[number];

/** Loudness of the original as measured (EBU R128). */
export interface TrackLoudness {
  integratedLufs: number;
  rangeLu: number;
  truePeakDbtp: number;
}

/** An audio track. `ownerId` is a user of the community subgraph. */
export const TrackSchema = defineEntity({
  name: 'Track',
  tableName: 'tracks',
  properties: {
    id: p.uuid().primary().onCreate(() => newId()),
    ownerId: p.uuid().index(),
    title: p.string().length(200),
    description: p.text().nullable(),
    tags: p.array().$type<string[]>(),
    genre: p.string().length(64).nullable(),
    status: p.enum(TRACK_STATUSES).nativeEnumName('track_status'),
    visibility: p.enum(TRACK_VISIBILITIES).nativeEnumName('track_visibility'),
    /** The secret of the track's private link (for UNLISTED tracks). */
    secretToken: p.string().length(32),
    failureReason: p.text().nullable(),
    /** Object-store key of the uploaded original. */
    originalKey: p.string().length(200),
    /** Declared MIME type and size of the original, checked when the upload completes. */
    contentType: p.string().length(100),
    byteSize: p.bigint('number'),
    /** SHA-256 the uploader declared, checked by the worker against what it downloads. */
    sha256: p.string().length(64).nullable(),
    durationSeconds: p.double().$type<number>().nullable(),
    loudness: p.json<TrackLoudness>().nullable(),
    /** Peak amplitude (0..1) per bucket, for drawing the waveform. */
    waveform: p.json<number[]>().nullable().lazy(),
    /** Audio features for discovery (tempo, spectral summary...), as the worker measured them. */
    features: p.json<Record<string, unknown>>().nullable().lazy(),
    /** Prefix of the track's renditions in the object store (one version per successful transcode). */
    renditionsPrefix: p.string().length(200).nullable(),
    artworkKey: p.string().length(200).nullable(),
    processingProgress: p.double().$type<number>().nullable(),
    /**
     * Whether every rendition is made. A track is READY (playable) from its first HLS
     * variant on; the rest of the ladder, the downloads and the audio features follow.
     */
    renditionsComplete: p.boolean(),
    playCount: p.integer(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export class Track extends TrackSchema.class {}
TrackSchema.setClass(Track);
