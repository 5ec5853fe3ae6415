/**
 * Identifiers are UUIDv7: time-ordered, so ordering by id is ordering by creation time,
 * which keyset pagination relies on.
 */
import { v7, validate, version } from 'uuid';

export function newId(): string {
  return v7();
}

export function isUuid(value: string): boolean {
  return validate(value) && (version(value) === 7 || version(value) === 4);
}
