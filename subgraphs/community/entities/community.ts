import { defineEntity, p } from '@mikro-orm/core';
import { newId } from '../../../platform/ids.ts';
import { User } from './user.ts';

export const CommunitySchema = defineEntity({
  name: 'Community',
  tableName: 'communities',
  properties: {
    id: p.uuid().primary().onCreate(() => newId()),
    name: p.string().length(100),
    description: p.text().nullable(),
    owner: () => p.manyToOne(User).ref().index(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export class Community extends CommunitySchema.class {}
CommunitySchema.setClass(Community);
