export { Track, TRACK_STATUSES, TRACK_VISIBILITIES, type TrackStatus, type TrackVisibility } from './track.ts';
