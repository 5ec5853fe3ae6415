export { Message } from './message.ts';
export { ChannelSequence } from './channel-sequence.ts';
export { Reaction } from './reaction.ts';
export { ReadState } from './read-state.ts';
