/**
 * The chat settings ingress needs before any worker has seen the event: the button colour of the
 * welcome, which Viber accepts only as the HTTP answer to conversation_started. The worker keeps
 * this projection of its chats' state; ingress reads it.
 */
export interface ChatSettings {
  /** The chat's chosen button colour, or undefined when it has none (or the bus does not answer). */
  buttonColor(chatId: string): Promise<string | undefined>;
  setButtonColor(chatId: string, color: string): Promise<void>;
}
