export { Follow } from './follow.ts';
