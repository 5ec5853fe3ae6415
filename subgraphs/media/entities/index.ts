export { Track, TRACK_STATUSES, TRACK_VISIBILITIES, type TrackStatus, type TrackVisibility, type TrackLoudness } from './track.ts';
export { Rendition, RENDITION_KINDS, type RenditionKind } from './rendition.ts';
export { PlaybackSession } from './playback-session.ts';
export { Playlist } from './playlist.ts';
export { PlaylistTrack } from './playlist-track.ts';
export { EffectRender, EQ_PRESETS, EFFECT_RENDER_STATUSES, type EqPreset, type EffectRenderStatus } from './effect-render.ts';
