import { defineEntity, p } from '@mikro-orm/core';
import { Track } from './track.ts';

export const RENDITION_KINDS = ['HLS_MASTER', 'HLS_VARIANT', 'MP3', 'FLAC'] as const;
export type RenditionKind = (typeof RENDITION_KINDS)[number];

/** One playable file (or HLS playlist) of a track, as the worker produced it. */
export const RenditionSchema = defineEntity({
  name: 'Rendition',
  tableName: 'renditions',
  properties: {
    track: () => p.manyToOne(Track).ref().primary().deleteRule('cascade'),
    /** Object-store key; unique within the track. */
    key: p.string().length(300).primary(),
    kind: p.enum(RENDITION_KINDS).nativeEnumName('rendition_kind'),
    codec: p.string().length(32),
    bitrateKbps: p.integer().nullable(),
    contentType: p.string().length(100),
    byteSize: p.bigint('number'),
  },
});
export class Rendition extends RenditionSchema.class {}
RenditionSchema.setClass(Rendition);
