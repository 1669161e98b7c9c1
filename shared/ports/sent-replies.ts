/**
 * Which replies have reached their messenger (and which message of a reply Telegram shows as two).
 * A reply redelivered because its outbound died after sending but before acknowledging is found
 * here and not sent twice. Kept a day: redeliveries come within
 * minutes, and ids are unique per event anyway.
 */
export interface SentReplies {
  wasSent(replyId: string): Promise<boolean>;
  markSent(replyId: string): Promise<void>;
}
