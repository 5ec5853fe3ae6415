/**
 * Audio features for discovery, as the worker measures them (worker/pipeline/measure.ts,
 * tempo.ts, spectral.ts) and media stores them with the track (`features`, JSON).
 */
import { z } from 'zod';

/** What the worker reports, in the manifest of a complete transcode. */
export const audioFeaturesSchema = z.object({
  loudnessRangeLu: z.number(),
  // Absent from workers older than these features: read as not measured.
  tempoBpm: z.number().positive().nullable().default(null),
  tempoConfidence: z.number().min(0).max(1).nullable().default(null),
  spectralCentroidHz: z.number().nonnegative().nullable().default(null),
  spectralRolloffHz: z.number().nonnegative().nullable().default(null),
  spectralFlatness: z.number().min(0).max(1).nullable().default(null),
  sourceCodec: z.string(),
  sampleRate: z.number(),
  channels: z.number(),
  lossless: z.boolean(),
  tags: z.record(z.string(), z.string()),
});

/** `Track.audioFeatures`. */
export interface AudioFeatures {
  loudnessRangeLu: number;
  tempoBpm: number | null;
  tempoConfidence: number | null;
  spectralCentroidHz: number | null;
  spectralRolloffHz: number | null;
  spectralFlatness: number | null;
}

/** The features of a stored track, or null when none were recorded (yet). Tracks made before a feature existed read it as null. */
export function audioFeaturesOf(stored: Record<string, unknown> | null | undefined): AudioFeatures | null {
  if (!stored || typeof stored['loudnessRangeLu'] !== 'number') return null;
  const num = (k: string) => (typeof stored[k] === 'number' ? stored[k] : null);
  return {
    loudnessRangeLu: stored['loudnessRangeLu'],
    tempoBpm: num('tempoBpm'),
    tempoConfidence: num('tempoConfidence'),
    spectralCentroidHz: num('spectralCentroidHz'),
    spectralRolloffHz: num('spectralRolloffHz'),
    spectralFlatness: num('spectralFlatness'),
  };
}
