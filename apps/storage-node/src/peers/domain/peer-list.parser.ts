import { type DecodeResult } from '../../kv/domain/index.js';

/** Another storage-node this node can forward to and back up checkpoint chunks on. */
export interface Peer {
  readonly nodeId: string;
  /** Base URL without a trailing slash, e.g. http://127.0.0.1:4101. */
  readonly url: string;
}

const NODE_ID = /^[a-z0-9-]{1,64}$/;

/** Parses `node-2=http://127.0.0.1:4101,node-3=http://10.0.0.3:4100`; an empty text is no peers. */
export function parsePeerList(text: string): DecodeResult<Peer[]> {
  const peers: Peer[] = [];
  const seen = new Set<string>();
  for (const item of text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.length > 0)) {
    const separator = item.indexOf('=');
    if (separator <= 0) return { ok: false, reason: `"${item}" is not nodeId=url` };
    const nodeId = item.slice(0, separator).trim();
    const rawUrl = item.slice(separator + 1).trim();
    if (!NODE_ID.test(nodeId)) return { ok: false, reason: `"${nodeId}" is not a node id (a-z, 0-9, "-")` };
    if (seen.has(nodeId)) return { ok: false, reason: `${nodeId} is listed twice` };
    let url: URL;
    try {
      url = new URL(rawUrl);
    } catch {
      return { ok: false, reason: `${nodeId}: "${rawUrl}" is not a URL` };
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      return { ok: false, reason: `${nodeId}: only http and https URLs are supported` };
    }
    if (url.search !== '' || url.hash !== '')
      return { ok: false, reason: `${nodeId}: the URL must not have a query or fragment` };
    seen.add(nodeId);
    peers.push({ nodeId, url: url.href.replace(/\/+$/, '') });
  }
  return { ok: true, value: peers };
}
