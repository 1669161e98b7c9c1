/**
 * The worker's public surface, for the tools and tests that run chats the way a worker does.
 * Everything else in this folder is the worker's own business.
 */
export { ChatActor, NotOwner, SaveRefused, RECENT_EVENT_IDS, type ApplyOutcome, type ChatActorDeps, type Turn, type TurnStep } from './actors/chat-actor.js';
export { activate, step, settle, persist, type EffectOutcome, type EffectRequest, type Step } from './actors/chat-step.js';
export { MongoChatStore, CHATS_COLLECTION, KEEP_VERSIONS, type ChatRecord, type ChatStore, type PendingEffect } from './chat-store.js';
export { effectHandlers, effectRunner, type EffectPorts } from './effects/effects.js';
export { StoredPhoneVerification, VerificationLimits, maskPhone, normalisePhone } from './verification/phone-verification.js';
export { PaymentOrders, recordingOrders } from './payments/payment-orders.js';
export { transitionReporter } from './inspection.js';
