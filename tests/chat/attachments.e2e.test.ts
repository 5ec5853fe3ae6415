/** Attachments: straight to the object store, checked for permission, size and type; a refused send binds nothing. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeOf, dataOf, request, startTestVeza, type TestUser, type TestVeza } from '../support/index.ts';
import { RequestAttachmentDocument, SendWithAttachmentsDocument, SetOverwriteDocument } from '../generated/graphql.ts';
import { openRoom, type Room } from './support.ts';

describe('attachments', () => {
  let veza: TestVeza;
  let room: Room;
  beforeAll(async () => {
    veza = await startTestVeza('production');
    room = await openRoom(veza.url, ['Sharer', 'Muted']);
  });
  afterAll(async () => {
    await veza?.stop();
  });

  it('uploads a file and attaches it to a message', async () => {
    const [sharer] = room.members as [TestUser];
    const body = Buffer.from('setlist: 1. intro 2. outro\n');
    const up = dataOf(await request(veza.url, RequestAttachmentDocument, { channelId: room.channelId, filename: 'setlist.txt', contentType: 'text/plain', byteSize: body.length }, sharer.token)).requestAttachmentUpload;
    expect((await fetch(up.uploadUrl, { method: 'PUT', body, headers: { 'content-type': 'text/plain' } })).status).toBe(200);
    const sent = dataOf(await request(veza.url, SendWithAttachmentsDocument, { input: { channelId: room.channelId, body: 'here', attachmentIds: [up.attachmentId] } }, sharer.token)).sendMessage;
    expect(sent.attachments).toMatchObject([{ id: up.attachmentId, filename: 'setlist.txt', contentType: 'text/plain', byteSize: body.length }]);
    expect(await (await fetch(sent.attachments[0]!.url)).text()).toBe(body.toString());
    // An attachment belongs to one message only.
    expect(codeOf(await request(veza.url, SendWithAttachmentsDocument, { input: { channelId: room.channelId, body: 'again', attachmentIds: [up.attachmentId] } }, sharer.token))).toBe('BAD_USER_INPUT');
  });

  it('refuses oversized files, executables, missing uploads, and members without ATTACH_FILES', async () => {
    const [sharer, muted] = room.members as [TestUser, TestUser];
    const ask = (who: TestUser, filename: string, contentType: string, byteSize: number) =>
      request(veza.url, RequestAttachmentDocument, { channelId: room.channelId, filename, contentType, byteSize }, who.token);
    expect(codeOf(await ask(sharer, 'huge.bin', 'application/octet-stream', 26 * 1024 * 1024))).toBe('BAD_USER_INPUT');
    expect(codeOf(await ask(sharer, 'setup.exe', 'application/octet-stream', 100))).toBe('BAD_USER_INPUT');
    expect(codeOf(await ask(sharer, 'page', 'text/html', 100))).toBe('BAD_USER_INPUT');
    const never = dataOf(await ask(sharer, 'later.txt', 'text/plain', 10)).requestAttachmentUpload;
    const refused = await request(veza.url, SendWithAttachmentsDocument, { input: { channelId: room.channelId, body: 'see file', attachmentIds: [never.attachmentId] } }, sharer.token);
    expect(codeOf(refused)).toBe('BAD_USER_INPUT');
    dataOf(await request(veza.url, SetOverwriteDocument, { input: { channelId: room.channelId, targetType: 'MEMBER', targetId: muted.id, deny: ['ATTACH_FILES'] } }, room.owner.token));
    expect(codeOf(await ask(muted, 'a.txt', 'text/plain', 10))).toBe('FORBIDDEN');
  });
});
