// Document uids as REALM computes them (language/realm/featurization.py: get_document_uid):
// int(sha1_hex(utf8(title + " <sep> " + body)), 16), a 160-bit integer kept here as hex.
import { createHash } from 'node:crypto';

/** 40-hex-digit SHA-1 uid of a (title, body) document; equal documents get equal uids. */
export function documentUid(title: string, body: string): string {
  return createHash('sha1').update(`${title} <sep> ${body}`, 'utf8').digest('hex');
}

/** The uid as the 160-bit integer REALM compares. */
export function documentUidBigInt(title: string, body: string): bigint {
  return BigInt(`0x${documentUid(title, body)}`);
}
