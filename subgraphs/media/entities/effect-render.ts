import { defineEntity, p } from '@mikro-orm/core';
import { newId } from '../../../platform/ids.ts';
import { Track } from './track.ts';

export const EQ_PRESETS = ['FLAT', 'BASS_BOOST', 'TREBLE_BOOST', 'VOCAL', 'LOFI'] as const;
export type EqPreset = (typeof EQ_PRESETS)[number];
export const EFFECT_RENDER_STATUSES = ['PENDING', 'READY', 'FAILED'] as const;
export type EffectRenderStatus = (typeof EFFECT_RENDER_STATUSES)[number];

/**
 * A track rendered through an effect chain (tempo, pitch, an EQ preset) as a derived MP3,
 * at its owner's request. One per track and chain: asking again returns it.
 */
export const EffectRenderSchema = defineEntity({
  name: 'EffectRender',
  tableName: 'effect_renders',
  uniques: [{ properties: ['track', 'chainKey'] }],
  properties: {
    id: p.uuid().primary().onCreate(() => newId()),
    track: () => p.manyToOne(Track).ref().deleteRule('cascade'),
    /** The chain, normalised, as text: what makes two requests the same. */
    chainKey: p.string().length(64),
    tempo: p.double().$type<number>(),
    pitchSemitones: p.double().$type<number>(),
    eqPreset: p.enum(EQ_PRESETS).nativeEnumName('eq_preset'),
    status: p.enum(EFFECT_RENDER_STATUSES).nativeEnumName('effect_render_status'),
    failureReason: p.text().nullable(),
    /** Object-store key of the MP3, once READY. */
    key: p.string().length(300).nullable(),
    byteSize: p.bigint('number').nullable(),
    durationSeconds: p.double().$type<number>().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export class EffectRender extends EffectRenderSchema.class {}
EffectRenderSchema.setClass(EffectRender);
