export { Message } from './message.ts';
export { ChannelSequence } from './channel-sequence.ts';
export { Reaction } from './reaction.ts';
export { ReadState } from './read-state.ts';
export { Thread } from './thread.ts';
export { ThreadMember } from './thread-member.ts';
export { Attachment } from './attachment.ts';
