/**
 * Reactions are single Unicode emoji: one RGI emoji sequence (flags, skin tones and ZWJ
 * families included), nothing else.
 */
const RGI_EMOJI = /^\p{RGI_Emoji}$/v;

export function isEmoji(value: string): boolean {
  return value.length <= 64 && RGI_EMOJI.test(value);
}
