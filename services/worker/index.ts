/**
 * The worker's public surface, for the tools and tests that run chats the way a worker does.
 * Everything else in this folder is the worker's own business.
 */
export {
  ChatActor,
  NotOwner,
  SaveRefused,
  RECENT_EVENT_IDS,
  type ApplyOutcome,
  type ChatActorDeps,
  type Turn,
  type TurnStep,
} from './actors/chat-actor.js';
export {
  activate,
  step,
  settle,
  persist,
  type EffectOutcome,
  type EffectRequest,
  type Step,
} from './actors/chat-step.js';
export { MongoChatStore, CHATS_COLLECTION, KEEP_VERSIONS } from '../../shared/adapters/mongo-chat-store.js';
export type { ChatRecord, ChatStore, PendingEffect } from '../../shared/ports/chat-store.js';
export { effectHandlers, effectRunner, type EffectChat, type EffectPorts } from './effects/effects.js';
export { StoredPhoneVerification } from './verification/phone-verification.js';
export { VerificationLimits, SEND_RETENTION_MS, maskPhone, normalisePhone } from './verification/rules.js';
export { PaymentOrders, recordingOrders } from './payments/payment-orders.js';
export { transitionReporter } from './inspection.js';
export * from './ownership/index.js';
export { armTimers, type TimerChanges } from './actors/chat-timers.js';
export { fanOutReminders, irkutskDay } from './reminders/fan-out.js';
export {
  natsReminderRegistry,
  REMINDER_CHATS_BUCKET,
  type ReminderEntry,
  type ReminderRegistry,
} from './reminders/registry.js';
