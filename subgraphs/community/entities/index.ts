export { User } from './user.ts';
export { Session } from './session.ts';
export { Community } from './community.ts';
export { Member } from './member.ts';
export { Channel, CHANNEL_TYPES, type ChannelKind } from './channel.ts';
