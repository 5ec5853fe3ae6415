export { Message } from './message.ts';
export { ChannelSequence } from './channel-sequence.ts';
