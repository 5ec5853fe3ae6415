/** Profiles and passwords through the gateway: edits, handle changes, avatars, password changes. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeOf, dataOf, request, signUpUser, startTestVeza, type TestVeza } from '../support/index.ts';
import {
  ChangePasswordDocument,
  MySessionsDocument,
  RefreshSessionDocument,
  RequestAvatarUploadDocument,
  SetAvatarDocument,
  SignInDocument,
  UpdateProfileDocument,
  UserProfileDocument,
} from '../generated/graphql.ts';

// The smallest valid PNG: one transparent pixel.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64');

describe('profiles', () => {
  let veza: TestVeza;
  beforeAll(async () => {
    veza = await startTestVeza('production');
  });
  afterAll(async () => {
    await veza?.stop();
  });

  it('edits the profile and refuses a taken handle', async () => {
    const erin = await signUpUser(veza.url, 'Erin');
    const frank = await signUpUser(veza.url, 'Frank');
    const updated = dataOf(await request(veza.url, UpdateProfileDocument, { input: { displayName: 'Erin E.', bio: '  Drummer.  ' } }, erin.token)).updateProfile;
    expect(updated).toMatchObject({ displayName: 'Erin E.', bio: 'Drummer.' });
    // Read back as others read a user (the one-statement loader): the same profile, the same instant.
    const read = dataOf(await request(veza.url, UserProfileDocument, { id: updated.id }, frank.token)).user;
    expect(read).toEqual(updated);
    expect(new Date(read!.createdAt).toISOString()).toBe(read!.createdAt);
    expect(codeOf(await request(veza.url, UpdateProfileDocument, { input: { handle: frank.handle.toUpperCase() } }, erin.token))).toBe('CONFLICT');
    expect(codeOf(await request(veza.url, UpdateProfileDocument, { input: { bio: 'b'.repeat(501) } }, erin.token))).toBe('BAD_USER_INPUT');
    expect(codeOf(await request(veza.url, UpdateProfileDocument, { input: { bio: 'x' } }))).toBe('UNAUTHENTICATED');
  });

  it('uploads an avatar straight to the object store, within type and size limits', async () => {
    const gina = await signUpUser(veza.url, 'Gina');
    expect(codeOf(await request(veza.url, RequestAvatarUploadDocument, { contentType: 'application/pdf', byteSize: 100 }, gina.token))).toBe('BAD_USER_INPUT');
    expect(codeOf(await request(veza.url, RequestAvatarUploadDocument, { contentType: 'image/png', byteSize: 6 * 1024 * 1024 }, gina.token))).toBe('BAD_USER_INPUT');
    const upload = dataOf(await request(veza.url, RequestAvatarUploadDocument, { contentType: 'image/png', byteSize: PNG.length }, gina.token)).requestAvatarUpload;
    expect(codeOf(await request(veza.url, SetAvatarDocument, { uploadId: upload.uploadId }, gina.token))).toBe('NOT_FOUND');
    const put = await fetch(upload.uploadUrl, { method: 'PUT', body: PNG, headers: { 'content-type': 'image/png' } });
    expect(put.status).toBe(200);
    const user = dataOf(await request(veza.url, SetAvatarDocument, { uploadId: upload.uploadId }, gina.token)).setAvatar;
    const image = await fetch(user.avatarUrl!);
    expect(image.status).toBe(200);
    expect(Buffer.from(await image.arrayBuffer())).toEqual(PNG);
  });

  it('changes the password, ends the other sessions, and signs in with the new one only', async () => {
    const hank = await signUpUser(veza.url, 'Hank');
    const other = dataOf(await request(veza.url, SignInDocument, { input: { handle: hank.handle, password: 'a long passphrase' } })).signIn;
    expect(codeOf(await request(veza.url, ChangePasswordDocument, { current: 'not it at all', next: 'new passphrase!' }, other.accessToken))).toBe('UNAUTHENTICATED');
    dataOf(await request(veza.url, ChangePasswordDocument, { current: 'a long passphrase', next: 'new passphrase!' }, other.accessToken));
    expect(dataOf(await request(veza.url, MySessionsDocument, {}, other.accessToken)).mySessions).toHaveLength(1);
    expect(codeOf(await request(veza.url, RefreshSessionDocument, { refreshToken: hank.refreshToken }))).toBe('UNAUTHENTICATED');
    expect(codeOf(await request(veza.url, SignInDocument, { input: { handle: hank.handle, password: 'a long passphrase' } }))).toBe('UNAUTHENTICATED');
    expect(codeOf(await request(veza.url, SignInDocument, { input: { handle: hank.handle, password: 'new passphrase!' } }))).toBeUndefined();
  });
});
