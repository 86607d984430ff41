// The client's copy of the server's per-person token bucket: messages, typing notices and
// renames each take a token there, so they are counted here too, and the page sends no more
// than the server takes.
export const DEFAULT_RATE = { burst: 20, perSecond: 5 };

export function createBucket() {
  return { tokens: null, at: 0 };
}

// A margin for the network: the server counts refills between arrivals, which jitter, so the
// page assumes one token less and a slower refill than the server gives.
const MARGIN_TOKENS = 1;
const MARGIN_RATE = 0.8;

/** Tokens available now under `rate` (refilled since the last look). */
export function available(bucket, rate = DEFAULT_RATE, now = Date.now()) {
  const burst = Math.max(1, rate.burst - MARGIN_TOKENS);
  if (bucket.tokens == null) bucket.tokens = burst;
  bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) / 1000) * rate.perSecond * MARGIN_RATE);
  bucket.at = now;
  return bucket.tokens;
}

/** Takes a token when at least `reserve` + 1 are left (typing keeps some for messages). */
export function tryTake(bucket, rate = DEFAULT_RATE, reserve = 0) {
  if (available(bucket, rate) < reserve + 1) return false;
  bucket.tokens -= 1;
  return true;
}
