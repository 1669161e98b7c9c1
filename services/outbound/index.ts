/**
 * Outbound's public surface, for the replay command and the tests. Everything else in this folder
 * is outbound's own business.
 */
export { readOutboundSettings, type OutboundSettings } from './config.js';
export { parking, type Parking } from './parking.js';
export { replayOutboundLetters, type ReplayReport } from './replay.js';
export { messengerSenders } from './messenger-senders.js';
export { telegramSender } from './telegram-send.js';
export { isUntried } from './deliver.js';
