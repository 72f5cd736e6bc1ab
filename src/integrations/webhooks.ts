import { createHmac } from 'node:crypto';

/** The header that carries the signature, as `v1,<base64 HMAC-SHA256>`; `webhook-id` and `webhook-timestamp` go beside it. */
export const SIGNATURE_HEADER = 'x-modelctl-signature';

/**
 * The Standard Webhooks signature of one delivery: base64 of HMAC-SHA256 over `<id>.<timestamp>.<body>` with the
 * secret as key — the secret's bytes, or for a `whsec_<base64>` secret the decoded bytes, as the scheme's libraries do.
 * @param timestampSeconds Unix time in seconds, sent as `webhook-timestamp` (receivers refuse old ones: replays).
 * @returns `v1,<signature>`, the value of {@link SIGNATURE_HEADER}.
 * @see https://www.standardwebhooks.com (Standard Webhooks specification, "Signature scheme").
 */
export function webhookSignature(secret: string, id: string, timestampSeconds: number, body: string): string {
  const key = secret.startsWith('whsec_') ? Buffer.from(secret.slice(6), 'base64') : Buffer.from(secret, 'utf8');
  return `v1,${createHmac('sha256', key).update(`${id}.${timestampSeconds}.${body}`).digest('base64')}`;
}

/** What one delivery attempt got: the HTTP status, or the network error when there was no answer. */
export interface WebhookAttempt {
  statusCode: number | null;
  error: string | null;
}

/**
 * POSTs one signed JSON body (`content-type: application/json`, `webhook-id`, `webhook-timestamp`, the signature) and
 * reports the answer; a 2xx is a delivery. Never throws: the caller decides to retry.
 * @param timeoutMs how long to wait for an answer (default 10 s).
 */
export async function postWebhook(
  delivery: { url: string; secret: string; id: string; body: string },
  timeoutMs = 10_000,
): Promise<WebhookAttempt> {
  const timestamp = Math.floor(Date.now() / 1000);
  try {
    const response = await fetch(delivery.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'webhook-id': delivery.id,
        'webhook-timestamp': String(timestamp),
        [SIGNATURE_HEADER]: webhookSignature(delivery.secret, delivery.id, timestamp, delivery.body),
      },
      body: delivery.body,
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'error',
    });
    await response.arrayBuffer().catch(() => undefined);
    return { statusCode: response.status, error: response.ok ? null : `HTTP ${response.status}` };
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code;
    return { statusCode: null, error: cause ?? (err instanceof Error ? err.message : String(err)) };
  }
}
